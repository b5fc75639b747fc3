// The foundation end to end in Chromium: first-admin sign-in with the one-time password,
// the forced password change, creating environments and seeing the real Docker engine's
// facts (and an unreachable engine's error in words), users, every page, sign-out.
import { execFileSync } from 'node:child_process'
import { expect, test } from '@playwright/test'
import { env, expectNoConsoleErrors, screenshotBoth, signIn } from './helpers'

const NEW_PASSWORD = 'e2e-chosen-passphrase-42'
const dockerVersion = execFileSync('docker', ['version', '--format', '{{.Server.Version}}']).toString().trim()

test.describe.configure({ mode: 'serial' })

test('signed-out visitors are sent to sign-in; a wrong password gets a clear message', async ({ page }) => {
  await page.goto('/environments')
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fenvironments/)
  await screenshotBoth(page, 'login')
  await signIn(page, env('E2E_ADMIN_EMAIL'), 'not-the-password-1', { expectFailure: true })
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong e-mail or password' })).toBeVisible()
  await expect(page).toHaveURL(/\/login/)
})

test('first admin signs in with the one-time password and must choose a new one', async ({ page }) => {
  await signIn(page, env('E2E_ADMIN_EMAIL'), env('E2E_ADMIN_PASSWORD'))
  await expect(page).toHaveURL(/\/change-password/)
  await screenshotBoth(page, 'change-password-forced')
  // The portal stays closed until the password is changed.
  await page.goto('/environments')
  await expect(page).toHaveURL(/\/change-password/)

  await page.getByLabel('One-time password').fill(env('E2E_ADMIN_PASSWORD'))
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD)
  await page.getByLabel('Confirm new password').fill(NEW_PASSWORD)
  await page.getByRole('button', { name: 'Change password' }).click()
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await screenshotBoth(page, 'dashboard-empty')
})

test('admin creates an environment and sees its real Docker engine facts', async ({ page }) => {
  await signIn(page, env('E2E_ADMIN_EMAIL'), NEW_PASSWORD)
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await expectNoConsoleErrors(page, async () => {
    await page.goto('/environments')
    await screenshotBoth(page, 'environments-empty')
    await page.getByRole('button', { name: 'New environment' }).first().click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('Name').fill('Local engine')
    await expect(dialog.getByLabel('Slug')).toHaveValue('local-engine')
    await screenshotBoth(page, 'environment-new-dialog')
    await dialog.getByRole('button', { name: 'Create environment' }).click()
    await expect(page).toHaveURL(/\/environments\/local-engine$/)
    // The worker checks the engine: the page refreshes itself until the facts arrive.
    await expect(page.getByText(dockerVersion).first()).toBeVisible({ timeout: 30_000 })
    await expect(page.getByText('OK', { exact: true }).first()).toBeVisible()
    await screenshotBoth(page, 'environment-ok')
  })
})

test('a validation error is shown on its field and nothing is created', async ({ page }) => {
  await signIn(page, env('E2E_ADMIN_EMAIL'), NEW_PASSWORD)
  await page.goto('/environments')
  await page.getByRole('button', { name: 'New environment' }).first().click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Name').fill('Broken endpoint')
  await dialog.getByLabel('Docker endpoint').fill('docker.internal:2375')
  await dialog.getByRole('button', { name: 'Create environment' }).click()
  await expect(dialog.getByText('must start with unix:// (local socket) or tcp://')).toBeVisible()
  await screenshotBoth(page, 'environment-validation-error')
  // A taken slug is refused on the slug field.
  await dialog.getByLabel('Docker endpoint').fill('unix:///var/run/docker.sock')
  await dialog.getByLabel('Slug').fill('local-engine')
  await dialog.getByRole('button', { name: 'Create environment' }).click()
  await expect(dialog.getByText('already exists: choose another slug')).toBeVisible()
})

test('an unreachable engine is reported in words', async ({ page }) => {
  await signIn(page, env('E2E_ADMIN_EMAIL'), NEW_PASSWORD)
  await page.goto('/environments')
  await page.getByRole('button', { name: 'New environment' }).first().click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Name').fill('Unreachable staging')
  await dialog.getByLabel('Docker endpoint').fill('tcp://127.0.0.1:1')
  await dialog.getByRole('button', { name: 'Create environment' }).click()
  await expect(page).toHaveURL(/\/environments\/unreachable-staging$/)
  await expect(page.getByRole('alert').filter({ hasText: 'tcp://127.0.0.1:1' })).toBeVisible({ timeout: 30_000 })
  await screenshotBoth(page, 'environment-error')
})

test('admin adds a user and sees the one-time password once', async ({ page }) => {
  await signIn(page, env('E2E_ADMIN_EMAIL'), NEW_PASSWORD)
  await page.goto('/users')
  await page.getByRole('button', { name: 'Add user' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('E-mail').fill('ana@e2e.test')
  await dialog.getByLabel('Name').fill('Ana Lima')
  await dialog.getByRole('button', { name: /Add user|Create/ }).click()
  await expect(page.getByRole('dialog')).toContainText('ana@e2e.test')
  await screenshotBoth(page, 'users-one-time-password')
  await page.keyboard.press('Escape')
  await expect(page.getByRole('cell', { name: 'ana@e2e.test' })).toBeVisible()
  await screenshotBoth(page, 'users')
})

test('every page renders, then sign-out returns to sign-in', async ({ page }) => {
  await signIn(page, env('E2E_ADMIN_EMAIL'), NEW_PASSWORD)
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await screenshotBoth(page, 'dashboard')
  for (const path of ['environments', 'deployments', 'approvals', 'backups', 'secrets', 'observability', 'audit', 'settings']) {
    await page.goto(`/${path}`)
    await expect(page.locator('h1')).toBeVisible()
    await screenshotBoth(page, path)
  }
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.goto('/environments/local-engine')
  await screenshotBoth(page, 'environment-ok-dark')
  await page.emulateMedia({ colorScheme: 'light' })

  await page.getByRole('button', { name: 'Sign out' }).first().click()
  await expect(page).toHaveURL(/\/login/)
  await page.goto('/')
  await expect(page).toHaveURL(/\/login/)
})

test('responses carry the security headers', async ({ request }) => {
  const res = await request.get('/login')
  const csp = res.headers()['content-security-policy']
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/)
  expect(csp).toContain("frame-ancestors 'self'")
  expect(res.headers()['x-content-type-options']).toBe('nosniff')
  expect(res.headers()['referrer-policy']).toBe('strict-origin-when-cross-origin')
  expect(res.headers()['permissions-policy']).toContain('camera=()')
  expect(res.headers()['x-powered-by']).toBeUndefined()
  // Before hydration the sign-in form can only POST (never put the password in a URL), and its
  // button stays disabled until the page's script has taken over.
  const html = await res.text()
  expect(html).toMatch(/<form[^>]*method="post"/)
  expect(html).toMatch(/<button[^>]*type="submit"[^>]*disabled=""/)
  const big = await request.post('/api/trpc/environment.create', { data: 'x'.repeat(1024 * 1024 + 10), headers: { 'content-type': 'application/json' } })
  expect(big.status()).toBe(413)
  expect((await request.get('/api/ready')).status()).toBe(200)
  const cookieCheck = await request.get('/api/auth/csrf')
  expect(cookieCheck.headers()['set-cookie']).toMatch(/HttpOnly/i)
  expect(cookieCheck.headers()['set-cookie']).toMatch(/SameSite=Lax/i)
})
