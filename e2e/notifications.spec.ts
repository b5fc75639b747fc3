// Webhooks and break-glass in Chromium against the real worker: the admin adds a webhook
// pointing at a receiver this test runs on 127.0.0.1 (its first answer is a 500), reads the
// signing key once, sends a test (retried after the 500 with backoff; both attempts in the
// history; the signature verifies with the key shown). Then, on a development environment with
// two successful releases, the admin pulls an emergency rollback: the dashboard highlights
// it in red, the webhook receives deployment.break_glass, and an approver (told by the bell)
// acknowledges it, after which the highlight is gone. Runs after foundation.spec.ts.
import http from 'node:http'
import net from 'node:net'
import { expect, test, type Page } from '@playwright/test'
import { verifyWebhookSignature } from '../server/modules/notification/webhook-payload'
import { fixtureWebStack, fixtureStackHooks, removeProjectContainers as removeFixtureProject } from './fixture-stack'
import { env, signIn } from './helpers'
import { createEnvironment, deployRelease, saveFirstStack, shoot as shootWithoutToasts } from './portal-steps'

const ADMIN_PASSWORD = 'e2e-chosen-passphrase-42'
const APPROVER = { email: 'acknowledger@e2e.test', name: 'Ack Approver', password: 'acknowledger-pass-2026', oneTimePassword: '' }
const ENV_NAME = 'Glass dev'
const ENV_PATH = '/environments/glass-dev'
const PROJECT = 'traider-glass-dev'

type Received = { headers: http.IncomingHttpHeaders; body: string; status: number }
const received: Received[] = []
const answers: number[] = [500]
let receiver: http.Server
let receiverPort = 0
let signingKey = ''

function removeProjectContainers() {
  removeFixtureProject(PROJECT)
}

const stackPort = fixtureStackHooks(removeProjectContainers)

// Toasts behind an open dialog are not waited out here: the key and history dialogs are shot as they are.
const shoot = (page: Page, name: string) => shootWithoutToasts(page, name, { toastsBehindDialog: 'leave' })

test.describe.configure({ mode: 'serial' })

test.beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const status = answers.shift() ?? 200
      received.push({ headers: req.headers, body, status })
      res.statusCode = status
      res.end()
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  receiverPort = (receiver.address() as net.AddressInfo).port
})

test.afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()))
})

test('admin adds a webhook, sees the key once, and a test is retried after a 500 and delivered', async ({ page }) => {
  test.setTimeout(120_000)
  await signIn(page, env('E2E_ADMIN_EMAIL'), ADMIN_PASSWORD)
  await page.goto('/settings')
  const card = page.getByTestId('webhooks-card')
  await card.getByRole('button', { name: 'Add webhook' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Name').fill('E2E receiver')
  await dialog.getByLabel('URL').fill(`http://127.0.0.1:${receiverPort}/hooks/traider?token=not-shown-later`)
  await expect(dialog.getByRole('checkbox', { name: 'deployment.break_glass' })).toBeVisible()
  await shoot(page, 'webhook-add-dialog')
  await dialog.getByRole('button', { name: 'Add webhook' }).click()
  await expect(dialog.getByTestId('webhook-signing-key')).toHaveValue(/^whsec_/)
  signingKey = await dialog.getByTestId('webhook-signing-key').inputValue()
  await shoot(page, 'webhook-signing-key-once')
  await dialog.getByRole('button', { name: 'Done' }).click()

  const row = card.locator('[data-webhook="E2E receiver"]')
  await expect(row).toContainText(`http://127.0.0.1:${receiverPort}/…`)
  expect(await page.content()).not.toContain(signingKey)
  await row.getByRole('button', { name: 'Send test' }).click()
  // First answer 500, the retry (about 10 s later) 200.
  await expect.poll(() => received.length, { timeout: 60_000, message: 'the receiver should get the test twice' }).toBe(2)
  for (const r of received) {
    expect(r.headers['x-traider-event']).toBe('webhook.test')
    expect(verifyWebhookSignature(signingKey, String(r.headers['x-traider-signature']), r.body, Math.floor(Date.now() / 1000))).toBe(true)
  }
  expect(received[0].headers['x-traider-event-id']).toBe(received[1].headers['x-traider-event-id'])

  await row.getByRole('button', { name: 'History' }).click()
  const history = page.getByRole('dialog')
  await expect(history.locator('[data-delivery="succeeded"]')).toHaveCount(2, { timeout: 15_000 })
  await expect(history).toContainText('the receiver answered HTTP 500')
  await expect(history).toContainText('delivered')
  await shoot(page, 'webhook-delivery-history')
  await page.keyboard.press('Escape')
  await expect(row).toContainText('1 delivered · 0 failed · 0 pending')
  await shoot(page, 'settings-webhooks')
})

test('admin adds an approver who will acknowledge break-glass', async ({ page }) => {
  await signIn(page, env('E2E_ADMIN_EMAIL'), ADMIN_PASSWORD)
  await page.goto('/users')
  await page.getByRole('button', { name: 'Add user' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('E-mail').fill(APPROVER.email)
  await dialog.getByLabel('Name').fill(APPROVER.name)
  await dialog.getByRole('combobox', { name: 'Role' }).click()
  await page.getByRole('option', { name: 'Approver' }).click()
  await dialog.getByRole('button', { name: 'Add user' }).click()
  const shown = page.getByRole('dialog').filter({ hasText: `${APPROVER.name} can now sign in` })
  APPROVER.oneTimePassword = await shown.getByRole('textbox', { name: 'One-time password' }).inputValue()
  await shown.getByRole('button', { name: 'Done' }).click()
})

test('break-glass is highlighted on the dashboard and sent to the webhook until an approver acknowledges it', async ({ page, browser }, testInfo) => {
  test.setTimeout(240_000)
  await signIn(page, env('E2E_ADMIN_EMAIL'), ADMIN_PASSWORD)
  await createEnvironment(page, ENV_NAME, ENV_PATH)
  await saveFirstStack(page, fixtureWebStack(stackPort()))
  await deployRelease(page, { name: ENV_NAME, path: ENV_PATH }, 'v1')
  await deployRelease(page, { name: ENV_NAME, path: ENV_PATH }, 'v2')

  await page.goto(ENV_PATH)
  await page.getByRole('button', { name: 'Emergency rollback' }).click()
  const emergency = page.getByRole('dialog')
  await emergency.getByLabel('Reason').fill('Orders rejected since v2: back to v1 now')
  await emergency.getByRole('button', { name: `Roll back ${ENV_NAME} to release 1 now` }).click()
  await expect(page).toHaveURL(/\/deployments\/[^/]+$/)

  await page.goto('/')
  const alert = page.getByTestId('break-glass-alerts').locator('[data-break-glass]')
  await expect(alert).toHaveCount(1)
  await expect(alert).toContainText(`Break-glass: ${ENV_NAME} rolled back to release 1 without approvals`)
  await expect(alert).toContainText('Reason: Orders rejected since v2: back to v1 now')
  await expect(alert).toContainText('You started it: another approver or admin acknowledges it.')
  await expect(alert.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0)
  await shoot(page, 'dashboard-break-glass')
  await expect.poll(() => received.filter((r) => r.headers['x-traider-event'] === 'deployment.break_glass').length, { timeout: 30_000 }).toBe(1)
  const glass = JSON.parse(received.find((r) => r.headers['x-traider-event'] === 'deployment.break_glass')!.body)
  expect(glass).toMatchObject({ type: 'deployment.break_glass', severity: 'critical', data: { reason: 'Orders rejected since v2: back to v1 now', environment: ENV_NAME } })

  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, viewport: { width: 1440, height: 900 } })
  const approver = await context.newPage()
  try {
    await signIn(approver, APPROVER.email, APPROVER.oneTimePassword)
    await expect(approver).toHaveURL(/\/change-password/)
    await approver.getByLabel('One-time password').fill(APPROVER.oneTimePassword)
    await approver.getByLabel('New password', { exact: true }).fill(APPROVER.password)
    await approver.getByLabel('Confirm new password').fill(APPROVER.password)
    await approver.getByRole('button', { name: 'Change password' }).click()
    await expect(approver.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
    // The bell told them too.
    await approver.getByTestId('notification-bell').click()
    await expect(approver.locator('[data-notification="deployment.break_glass"]')).toContainText(`${ENV_NAME}: break-glass rollback to release 1 by Administrator`)
    await approver.keyboard.press('Escape')

    const theirs = approver.getByTestId('break-glass-alerts').locator('[data-break-glass]')
    await theirs.getByRole('button', { name: 'Acknowledge' }).click()
    const ack = approver.getByRole('dialog')
    await ack.getByLabel('Note (optional)').fill('Seen; desk informed.')
    await shoot(approver, 'break-glass-acknowledge-dialog')
    await ack.getByRole('button', { name: /Acknowledge rollback #3/ }).click()
    await expect(approver.getByText(`Acknowledged: emergency rollback #3 on ${ENV_NAME}`)).toBeVisible()
    await expect(approver.getByTestId('break-glass-alerts')).toHaveCount(0)
  } finally {
    await context.close()
  }
  await page.reload()
  await expect(page.getByTestId('break-glass-alerts')).toHaveCount(0)
})
