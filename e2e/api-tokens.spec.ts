// API tokens end to end in Chromium: the admin creates a token in Settings, sees it once
// (copy button, then never again), uses it with fetch against /api/v1 (and the served
// OpenAPI document), revokes it with confirmation, and the same request is then refused
// with a 401 problem+json. Screenshots at 1440 and 390 px.
import { expect, test, type Page } from '@playwright/test'
import { env, expectNoConsoleErrors, screenshotBoth, signIn } from './helpers'

const PASSWORD = 'e2e-chosen-passphrase-42'
const NAME = 'e2e-ci-deploy'

async function signInAdmin(page: Page) {
  await signIn(page, env('E2E_ADMIN_EMAIL'), PASSWORD)
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
}

test.describe.configure({ mode: 'serial' })

test('create a token, see it once, use it against /api/v1, revoke it', async ({ page, request }) => {
  await signInAdmin(page)
  let token = ''
  await expectNoConsoleErrors(page, async () => {
    await page.goto('/settings')
    await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible()
    await expect(page.getByText('API tokens', { exact: true })).toBeVisible()
    await expect(page.getByText('No API tokens yet')).toBeVisible()
    await screenshotBoth(page, 'api-tokens-empty')

    await page.getByRole('button', { name: 'New token' }).click()
    const form = page.getByRole('dialog', { name: 'New API token' })
    await form.getByLabel('Name').fill(NAME)
    await form.getByRole('checkbox', { name: /deploy:request/ }).check()
    await screenshotBoth(page, 'api-tokens-create')
    await form.getByRole('button', { name: 'Create token' }).click()

    const shown = page.getByRole('dialog', { name: `Token “${NAME}” created` })
    await expect(shown).toBeVisible()
    token = await shown.getByLabel('New API token').inputValue()
    expect(token).toMatch(/^trd_[A-Za-z0-9_-]{43}$/)
    await screenshotBoth(page, 'api-tokens-shown-once')
    await shown.getByRole('button', { name: 'Done' }).click()
    await expect(shown).toBeHidden()

    // Listed with its scopes, never with the secret.
    const row = page.locator(`[data-token="${NAME}"]`)
    await expect(row).toContainText(token.slice(0, 8))
    await expect(row).toContainText('deploy:request')
    await expect(row).toContainText('never')
    await expect(page.getByText(token)).toHaveCount(0)
  })

  // The token works against the REST API, from the browser as a script would use it.
  const status = await page.evaluate(async (t) => {
    const res = await fetch('/api/v1/environments', { headers: { authorization: `Bearer ${t}` } })
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as unknown }
  }, token)
  expect(status.status).toBe(200)
  expect(status.type).toContain('application/json')
  expect(Array.isArray(status.body)).toBe(true)
  const openapi = await request.get('/api/v1/openapi.json')
  expect(openapi.status()).toBe(200)
  expect(((await openapi.json()) as { openapi: string }).openapi).toBe('3.1.0')
  // No scope reaches the audit log from this token.
  const audit = await request.get('/api/v1/audit', { headers: { authorization: `Bearer ${token}` } })
  expect(audit.status()).toBe(403)

  await page.reload()
  const row = page.locator(`[data-token="${NAME}"]`)
  await expect(row).not.toContainText('never')
  await screenshotBoth(page, 'api-tokens-list')

  await row.getByRole('button', { name: `Revoke ${NAME}` }).click()
  const confirm = page.getByRole('alertdialog')
  await expect(confirm).toContainText(`Revoke token “${NAME}”?`)
  await screenshotBoth(page, 'api-tokens-revoke-confirm')
  await confirm.getByRole('button', { name: `Revoke ${NAME}` }).click()
  await expect(row).toContainText('Revoked')
  await expect(row.getByRole('button', { name: `Revoke ${NAME}` })).toHaveCount(0)

  const refused = await request.get('/api/v1/environments', { headers: { authorization: `Bearer ${token}` } })
  expect(refused.status()).toBe(401)
  expect(refused.headers()['content-type']).toBe('application/problem+json')
  expect(((await refused.json()) as { detail: string }).detail).toContain('revoked')
  await screenshotBoth(page, 'api-tokens-revoked')
})
