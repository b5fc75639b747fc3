// Two-factor in e2e: enroll through Settings like a person would (read the secret the page
// shows, compute the code with otpauth as an authenticator app does), and hand out codes that
// the server will accept: never a time step already used (the server refuses replays).
import * as OTPAuth from 'otpauth'
import { expect, type Page } from '@playwright/test'

const STEP_MS = 30_000

export class AuthenticatorApp {
  private lastStep = -1
  constructor(readonly secret: string) {}

  codeAt(step: number): string {
    return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(this.secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: step * STEP_MS })
  }

  /** A code for a step not used yet: now, or the next step (the server accepts ±1), else wait. */
  async freshCode(): Promise<string> {
    for (;;) {
      const now = Math.floor(Date.now() / STEP_MS)
      const step = Math.max(now, this.lastStep + 1)
      if (step <= now + 1) {
        this.lastStep = step
        return this.codeAt(step)
      }
      await new Promise((r) => setTimeout(r, 1_000))
    }
  }
}

/** Settings → Set up two-factor → QR → code → recovery codes. Returns the app and the codes. */
export async function enrollTwoFactor(page: Page, onQrShown?: () => Promise<void>, onCodesShown?: () => Promise<void>) {
  await page.goto('/settings')
  const card = page.getByTestId('two-factor-card')
  await card.getByRole('button', { name: 'Set up two-factor' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByRole('button', { name: 'Show QR code' }).click()
  await expect(dialog.getByTestId('totp-qr')).toBeVisible()
  const secret = ((await dialog.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '')
  expect(secret).toMatch(/^[A-Z2-7]{32}$/)
  const app = new AuthenticatorApp(secret)
  if (onQrShown) await onQrShown()
  await dialog.getByLabel('Code from the app').fill(await app.freshCode())
  await dialog.getByRole('button', { name: 'Turn on two-factor' }).click()
  const codes = dialog.getByTestId('recovery-codes').getByRole('listitem')
  await expect(codes).toHaveCount(10)
  const recoveryCodes = await codes.allTextContents()
  if (onCodesShown) await onCodesShown()
  await dialog.getByRole('button', { name: 'I saved them' }).click()
  await expect(card).toContainText('On since')
  return { app, recoveryCodes }
}
