// Two-factor enrollment in Chromium: the admin sets up TOTP in Settings (QR code and the
// secret as text), a wrong code is refused in words, a code computed from the shown secret
// (otpauth, as an authenticator app) turns it on, the 10 recovery codes are shown once, and a
// recovery code turns it off again (single use). Runs after foundation.spec.ts.
import { expect, test } from '@playwright/test'
import { env, expectNoConsoleErrors, screenshotBoth, signIn } from './helpers'
import { enrollTwoFactor } from './totp-helpers'

const ADMIN_PASSWORD = 'e2e-chosen-passphrase-42'

test('enroll with the QR page, confirm with a code, recovery codes once, then turn off with one', async ({ page }) => {
  await signIn(page, env('E2E_ADMIN_EMAIL'), ADMIN_PASSWORD)
  await page.goto('/settings')
  const card = page.getByTestId('two-factor-card')
  await expect(card).toContainText('Off')
  await screenshotBoth(page, 'settings-two-factor-off')

  // A wrong code first: refused, and the dialog says what to do.
  await card.getByRole('button', { name: 'Set up two-factor' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByRole('button', { name: 'Show QR code' }).click()
  await expect(dialog.getByTestId('totp-qr')).toBeVisible()
  await dialog.getByLabel('Code from the app').fill('12345')
  await dialog.getByRole('button', { name: 'Turn on two-factor' }).click()
  await expect(dialog.getByText('Enter the 6-digit code your authenticator app shows now')).toBeVisible()
  await page.keyboard.press('Escape')

  let recoveryCodes: string[] = []
  await expectNoConsoleErrors(page, async () => {
    ;({ recoveryCodes } = await enrollTwoFactor(
      page,
      () => screenshotBoth(page, 'totp-enroll-qr'),
      () => screenshotBoth(page, 'totp-recovery-codes'),
    ))
  })
  expect(new Set(recoveryCodes).size).toBe(10)
  await expect(card).toContainText('10 of 10 recovery codes left')

  // Shown once: after a reload they are nowhere on the page.
  await page.reload()
  await expect(card).toContainText('On since')
  expect(await page.content()).not.toContain(recoveryCodes[0])
  await screenshotBoth(page, 'settings-two-factor-on')

  // Turn it off with a recovery code; the same code cannot be used again.
  await card.getByRole('button', { name: 'Turn off two-factor' }).click()
  await page.getByRole('dialog').getByLabel('Current code or a recovery code').fill(recoveryCodes[0])
  await page.getByRole('dialog').getByRole('button', { name: 'Turn off two-factor' }).click()
  await expect(page.getByText('Two-factor authentication is off')).toBeVisible()
  await expect(card.getByRole('button', { name: 'Set up two-factor' })).toBeVisible()
})
