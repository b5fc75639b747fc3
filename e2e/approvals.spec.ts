// Approvals end to end in Chromium against the real worker and Docker engine: an admin adds
// two approvers, creates a production environment (2 approvals by default) and edits its
// policy (seeing field errors first), then requests a deployment it cannot approve itself.
// Each approver signs in in a browser of their own (changing the one-time password first)
// and approves from the inbox; after the second approval the deployment runs and the port
// serves v1. Production's default policy asks for two-factor: the first approver is told to
// set it up, enrolls in Settings, and each approver enters a current code (computed from the
// secret the page showed) with the approval; a wrong code is refused. The bell shows the
// notifications. A second request is rejected from the deployment page. Runs after
// foundation.spec.ts, which set the admin's password.
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test'
import { fixtureWebStack, fixtureStackHooks, removeProjectContainers as removeFixtureProject, servedOn } from './fixture-stack'
import { env, expectNoConsoleErrors, signIn, WIDTHS } from './helpers'
import { createEnvironment, openDeployDialog, reviewPlan, saveFirstStack, shoot as shootWithoutToasts } from './portal-steps'
import { enrollTwoFactor, type AuthenticatorApp } from './totp-helpers'

const ADMIN_PASSWORD = 'e2e-chosen-passphrase-42'
const APPROVER_PASSWORD = 'approver-passphrase-2026'
const ENV_NAME = 'Prod approvals'
const ENV_PATH = '/environments/prod-approvals'
// The compose project the engine uses for this environment (traider-<slug>).
const PROJECT = 'traider-prod-approvals'
const APPROVERS: Array<{ email: string; name: string; oneTimePassword: string; app?: AuthenticatorApp }> = [
  { email: 'approver1@e2e.test', name: 'Approver One', oneTimePassword: '' },
  { email: 'approver2@e2e.test', name: 'Approver Two', oneTimePassword: '' },
]


let firstDeploymentUrl = ''

function removeProjectContainers() {
  removeFixtureProject(PROJECT)
}

const port = fixtureStackHooks(removeProjectContainers)

const served = () => servedOn(port())

/** Screenshots without the toasts of earlier actions over the content; behind a dialog, as they are. */
const shoot = (page: Page, name: string) => shootWithoutToasts(page, name, { toastsBehindDialog: 'leave' })

/** Both widths with `target` scrolled into view inside an open dialog (screenshotBoth keeps the dialog's top). */
async function shootScrolledTo(page: Page, target: Locator, name: string) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 })
    await target.scrollIntoViewIfNeeded()
    await page.screenshot({ path: `e2e/screenshots/${name}-${width}.png` })
  }
  await page.setViewportSize({ width: 1440, height: 900 })
}

/** Both widths with the bell's menu open (closed first, reopened after each resize, animations done). */
async function shootMenu(page: Page, name: string) {
  const menu = page.getByRole('menu')
  for (const width of WIDTHS) {
    if ((await menu.count()) > 0) await page.keyboard.press('Escape')
    await expect(menu).toHaveCount(0)
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 })
    await page.getByTestId('notification-bell').click()
    await expect(menu).toBeVisible()
    await menu.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)))
    await page.screenshot({ path: `e2e/screenshots/${name}-${width}.png` })
  }
  await page.keyboard.press('Escape')
  await expect(menu).toHaveCount(0)
  await page.setViewportSize({ width: 1440, height: 900 })
}

/** A signed-in approver in a browser context of their own (first sign-in: new password). */
async function approverPage(browser: Browser, index: 0 | 1, baseURL: string | undefined) {
  const approver = APPROVERS[index]
  const context = await browser.newContext({ baseURL, viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  if (approver.oneTimePassword) {
    await signIn(page, approver.email, approver.oneTimePassword)
    await expect(page).toHaveURL(/\/change-password/)
    await page.getByLabel('One-time password').fill(approver.oneTimePassword)
    await page.getByLabel('New password', { exact: true }).fill(APPROVER_PASSWORD)
    await page.getByLabel('Confirm new password').fill(APPROVER_PASSWORD)
    await page.getByRole('button', { name: 'Change password' }).click()
    await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
    approver.oneTimePassword = ''
  } else {
    await signIn(page, approver.email, APPROVER_PASSWORD)
  }
  return { context, page }
}

/** Deploy dialog → WEB_TAG → plan → request; lands on the deployment page. */
async function requestDeployment(page: Page, tag: string, screenshot?: string) {
  const dialog = await openDeployDialog(page, ENV_PATH)
  await reviewPlan(dialog, tag, 2)
  await expect(dialog).toContainText('Needs 2 approvals before it starts')
  if (screenshot) await shoot(page, screenshot)
  await dialog.getByRole('button', { name: `Request deployment to ${ENV_NAME}: 1 service changes` }).click()
  await expect(page).toHaveURL(/\/deployments\/[^/]+$/)
}

test.describe.configure({ mode: 'serial' })


test('admin adds two approvers and keeps their one-time passwords', async ({ page }) => {
  await signIn(page, env('E2E_ADMIN_EMAIL'), ADMIN_PASSWORD)
  for (const approver of APPROVERS) {
    await page.goto('/users')
    await page.getByRole('button', { name: 'Add user' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('E-mail').fill(approver.email)
    await dialog.getByLabel('Name').fill(approver.name)
    await dialog.getByRole('combobox', { name: 'Role' }).click()
    await page.getByRole('option', { name: 'Approver' }).click()
    await dialog.getByRole('button', { name: 'Add user' }).click()
    const shown = page.getByRole('dialog').filter({ hasText: `${approver.name} can now sign in` })
    const password = shown.getByRole('textbox', { name: 'One-time password' })
    await expect(password).toHaveValue(/.{12,}/)
    approver.oneTimePassword = await password.inputValue()
    await shown.getByRole('button', { name: 'Done' }).click()
    await expect(page.getByRole('cell', { name: approver.email })).toBeVisible()
  }
})

test('admin creates a production environment and edits its approval policy', async ({ page }) => {
  await signIn(page, env('E2E_ADMIN_EMAIL'), ADMIN_PASSWORD)
  await expectNoConsoleErrors(page, async () => {
    await createEnvironment(page, ENV_NAME, ENV_PATH, { production: true })
    await saveFirstStack(page, fixtureWebStack(port()))

    const card = page.getByTestId('approval-policy')
    await expect(card.getByTestId('policy-words')).toContainText('Production: 2 approvals from approver or admin, approvals last 24 h, no wait timer, no freeze windows')
    await expect(card.getByTestId('policy-words')).toContainText('default for production')
    await expect(card.getByTestId('policy-totp')).toHaveText('Two-factor: each approver enters a current code from their authenticator app')
    await shoot(page, 'approval-policy-card')

    await card.getByRole('button', { name: 'Edit policy' }).click()
    const policy = page.getByRole('dialog')
    await expect(policy.getByLabel('Required approvals')).toHaveValue('2')
    await expect(policy.getByLabel('Approval lifetime (hours)')).toHaveValue('24')
    await expect(policy.getByRole('checkbox', { name: /Two-factor/ })).toBeChecked()
    await shoot(page, 'approval-policy-editor')
  })

  // The server's 400 for the invalid policy is a console error by design: outside the check above.
  {
    const card = page.getByTestId('approval-policy')
    const policy = page.getByRole('dialog')
    // A freeze window with an unknown time zone is caught on its own row; no role left is the server's call.
    await policy.getByRole('checkbox', { name: 'Approver' }).click()
    await policy.getByRole('checkbox', { name: 'Admin' }).click()
    await policy.getByRole('button', { name: 'Add freeze window' }).click()
    const window1 = policy.locator('[data-freeze-window="1"]')
    await window1.getByRole('checkbox', { name: 'Fri' }).click()
    await window1.getByLabel('Time zone').fill('Mars/Olympus_Mons')
    await window1.getByLabel('Label (optional)').fill('Market close')
    await policy.getByRole('button', { name: 'Save policy' }).click()
    await expect(window1.getByText('Unknown time zone')).toBeVisible()
    await shootScrolledTo(page, window1, 'approval-policy-freeze-window-error')
    await window1.getByLabel('Time zone').fill('Europe/London')
    await policy.getByRole('button', { name: 'Save policy' }).click()
    await expect(policy.getByText('At least one role must be able to approve.')).toBeVisible()
    await shoot(page, 'approval-policy-editor-error')

    // Back to approvers and admins, no freeze window (it could cover the test run), approvals last 12 h.
    await policy.getByRole('checkbox', { name: 'Approver' }).click()
    await policy.getByRole('checkbox', { name: 'Admin' }).click()
    await window1.getByRole('button', { name: 'Remove freeze window 1' }).click()
    await policy.getByLabel('Approval lifetime (hours)').fill('12')
    await policy.getByRole('button', { name: 'Save policy' }).click()
    await expect(page.getByText('Approval policy saved.')).toBeVisible()
    await expect(card.getByTestId('policy-words')).toHaveText('Production: 2 approvals from approver or admin, approvals last 12 h, no wait timer, no freeze windows')
  }
})

test('the admin requests a production deployment and cannot approve it', async ({ page }) => {
  test.setTimeout(120_000)
  await signIn(page, env('E2E_ADMIN_EMAIL'), ADMIN_PASSWORD)
  await requestDeployment(page, 'v1', 'deploy-request-needs-approval')
  firstDeploymentUrl = page.url()
  await expect(page.getByText('Deployment #1 requested: 0 of 2 approvals')).toBeVisible()
  await expect(page.getByRole('heading', { name: `#1 Deploy · ${ENV_NAME}` })).toBeVisible()
  await expect(page.locator('[data-status="requested"]').first()).toHaveText('Waiting for approval')
  const panel = page.getByTestId('approval-panel')
  await expect(panel.getByTestId('approval-progress')).toContainText('0 of 2')
  await expect(panel.getByTestId('own-request')).toHaveText('Waiting for other approvers — you cannot approve your own request')
  await expect(panel.getByRole('button', { name: 'Approve' })).toHaveCount(0)
  await expect(page.locator('[data-step="preflight"]')).toContainText('Not started')
  await shoot(page, 'deployment-waiting-for-approval')

  // The sidebar counts what waits (polled every 15 s; the page load reads it at once).
  await expect(page.getByTestId('pending-approvals-count')).toContainText('1')
  await page.screenshot({ path: 'e2e/screenshots/sidebar-approvals-badge-1440.png' })
  await page.setViewportSize({ width: 390, height: 844 })
  await page.getByRole('button', { name: 'Open navigation' }).click()
  await expect(page.getByRole('dialog').getByTestId('pending-approvals-count')).toContainText('1')
  await page.getByRole('dialog').evaluate((sheet) => Promise.all(sheet.getAnimations().map((a) => a.finished)))
  await page.screenshot({ path: 'e2e/screenshots/sidebar-approvals-badge-390.png' })
  await page.keyboard.press('Escape')
  await page.setViewportSize({ width: 1440, height: 900 })

  // The environment says what its deployment waits for.
  await page.goto(ENV_PATH)
  await expect(page.getByText('Deploy #1 of release 1 is waiting for approval')).toBeVisible()
  await shoot(page, 'environment-waiting-for-approval')

  // The inbox shows it to its requester without buttons.
  await page.goto('/approvals')
  const card = page.locator('[data-approval="1"][data-environment="prod-approvals"]')
  await expect(card.getByTestId('own-request')).toBeVisible()
  await expect(card.getByRole('button', { name: 'Approve' })).toHaveCount(0)
  await shoot(page, 'approvals-own-request')
})

test('two approvers approve in their own browsers; the deployment runs and serves v1', async ({ browser }, testInfo) => {
  test.setTimeout(240_000)
  const baseURL = testInfo.project.use.baseURL
  const first = await approverPage(browser, 0, baseURL)
  const second = await approverPage(browser, 1, baseURL)
  try {
    const p1 = first.page
    await p1.goto('/approvals')
    const card1 = p1.locator('[data-approval="1"][data-environment="prod-approvals"]')
    await expect(card1.getByTestId('approval-progress')).toContainText('0 of 2')
    await expect(card1.locator('[data-service="web"]:visible')).toContainText('traider-fixture:v1')
    await shoot(p1, 'approvals-inbox')

    // The bell already tells the approver that a request waits.
    await expect(p1.getByTestId('notification-count')).toHaveText('1')
    await p1.getByTestId('notification-bell').click()
    await expect(p1.locator('[data-notification="approval.requested"]')).toContainText(`${ENV_NAME} (production): deployment #1 waits for approval`)
    await shootMenu(p1, 'notification-bell-approval-requested')
    await p1.keyboard.press('Escape')

    // Not enrolled yet: the dialog says where to set two-factor up, and cannot approve.
    await card1.getByRole('button', { name: 'Approve', exact: true }).click()
    await expect(p1.getByRole('dialog').getByTestId('totp-not-enrolled')).toContainText('Settings → Two-factor authentication')
    await expect(p1.getByRole('dialog').getByRole('button', { name: `Approve deploying release 1 to ${ENV_NAME}` })).toBeDisabled()
    await shoot(p1, 'approve-dialog-not-enrolled')
    await p1.keyboard.press('Escape')
    APPROVERS[0].app = (await enrollTwoFactor(p1)).app

    await p1.goto('/approvals')
    await card1.getByRole('button', { name: 'Approve', exact: true }).click()
    const dialog = p1.getByRole('dialog')
    await expect(dialog).toContainText('Yours is approval 1 of 2')
    await dialog.getByLabel('Comment (optional)').fill('Diff checked: only web changes.')
    // A wrong code is refused under the field; the right one goes through.
    const good = await APPROVERS[0].app.freshCode()
    await dialog.getByLabel('Two-factor code').fill(String((Number(good) + 500_000) % 1_000_000).padStart(6, '0'))
    await dialog.getByRole('button', { name: `Approve deploying release 1 to ${ENV_NAME}` }).click()
    await expect(dialog.getByText('That code is not valid now')).toBeVisible()
    await shoot(p1, 'approve-dialog-wrong-code')
    await dialog.getByLabel('Two-factor code').fill(good)
    await shoot(p1, 'approve-dialog')
    await dialog.getByRole('button', { name: `Approve deploying release 1 to ${ENV_NAME}` }).click()
    await expect(p1.getByText('Approved: 1 of 2 approvals')).toBeVisible()
    await expect(card1.getByTestId('approval-progress')).toContainText('1 of 2')
    await expect(card1.locator('[data-decision="APPROVE"]')).toContainText('Approver One')

    // Approving twice is refused in words.
    await card1.getByRole('button', { name: 'Approve', exact: true }).click()
    await p1.getByRole('dialog').getByRole('button', { name: `Approve deploying release 1 to ${ENV_NAME}` }).click()
    await expect(p1.getByRole('dialog')).toContainText('You already approved deployment #1.')
    await p1.keyboard.press('Escape')

    // The second approver's inbox refreshes by itself and shows the first decision.
    const p2 = second.page
    APPROVERS[1].app = (await enrollTwoFactor(p2)).app
    await p2.goto('/approvals')
    const card2 = p2.locator('[data-approval="1"][data-environment="prod-approvals"]')
    await expect(card2.getByTestId('approval-progress')).toContainText('1 of 2')
    await expect(card2.locator('[data-decision="APPROVE"]')).toContainText('Diff checked: only web changes.')
    await shoot(p2, 'approvals-inbox-one-of-two')
    await card2.getByRole('button', { name: 'Approve', exact: true }).click()
    await expect(p2.getByRole('dialog')).toContainText('Yours is approval 2 of 2')
    await p2.getByRole('dialog').getByLabel('Two-factor code').fill(await APPROVERS[1].app.freshCode())
    await p2.getByRole('dialog').getByRole('button', { name: `Approve deploying release 1 to ${ENV_NAME}` }).click()
    await expect(p2.getByText('Approved: deployment #1 is queued')).toBeVisible()
    await expect(p2.getByText('Nothing waits for approval')).toBeVisible()
    await shoot(p2, 'approvals-empty')

    // The first approver's inbox empties itself too (polled).
    await expect(p1.getByText('Nothing waits for approval')).toBeVisible({ timeout: 15_000 })

    await p2.goto(firstDeploymentUrl)
    await expect(p2.getByTestId('outcome')).toContainText('Succeeded', { timeout: 90_000 })
    await expect.poll(served, { timeout: 20_000, message: `port ${port()} should serve v1` }).toBe('traider fixture v1')
  } finally {
    await first.context.close()
    await second.context.close()
  }
})

test('a rejected request ends with the reason and nothing changes', async ({ page, browser }, testInfo) => {
  test.setTimeout(180_000)
  await signIn(page, env('E2E_ADMIN_EMAIL'), ADMIN_PASSWORD)
  await requestDeployment(page, 'v2')
  await expect(page.getByText('Deployment #2 requested: 0 of 2 approvals')).toBeVisible()
  const url = page.url()

  const { context, page: approver } = await approverPage(browser, 0, testInfo.project.use.baseURL)
  try {
    await approver.goto(url)
    const panel = approver.getByTestId('approval-panel')
    await expect(panel.getByRole('button', { name: 'Approve', exact: true })).toBeVisible()
    await panel.getByRole('button', { name: 'Reject', exact: true }).click()
    const dialog = approver.getByRole('dialog')
    await dialog.getByRole('button', { name: 'Reject deployment #2' }).click()
    await expect(dialog.getByText('Say why you reject it')).toBeVisible()
    await dialog.getByLabel('Reason').fill('Not during market hours: request again after 22:00.')
    await shoot(approver, 'reject-dialog')
    await dialog.getByRole('button', { name: 'Reject deployment #2' }).click()
    await expect(approver.getByText('Rejected: deployment #2 will not run')).toBeVisible()
  } finally {
    await context.close()
  }

  // The requester's page follows by itself: red outcome with the reason, no step started.
  const outcome = page.getByTestId('outcome')
  await expect(outcome).toContainText('Rejected', { timeout: 15_000 })
  await expect(outcome).toContainText("Approver's reason: Not during market hours: request again after 22:00.")
  await expect(page.locator('[data-status="rejected"]').first()).toHaveText('Rejected')
  await expect(page.locator('[data-step="preflight"]')).toContainText('Not run')
  await shoot(page, 'deployment-rejected')
  expect(await served()).toBe('traider fixture v1')

  // The requester's bell: approvals, start, success and the rejection with its reason.
  await page.reload()
  await expect(page.getByTestId('notification-count')).toHaveText('5', { timeout: 20_000 })
  await page.getByTestId('notification-bell').click()
  await expect(page.locator('[data-notification="approval.rejected"]')).toContainText('Reason: Not during market hours: request again after 22:00.')
  await expect(page.locator('[data-notification="deployment.succeeded"]')).toContainText(`${ENV_NAME} (production): deployment #1 succeeded`)
  await shootMenu(page, 'notification-bell-requester')
  await page.goto('/notifications')
  await expect(page.locator('[data-notification]')).toHaveCount(5)
  await shoot(page, 'notifications-page')
  await page.getByRole('button', { name: 'Mark all read' }).click()
  await expect(page.getByTestId('notification-count')).toHaveCount(0)

  await page.goto('/deployments')
  await page.getByRole('combobox', { name: 'Filter by status' }).click()
  await page.getByRole('option', { name: 'Rejected' }).click()
  await expect(page.locator('tr[data-deployment]')).toHaveCount(1)
  await expect(page.locator('tr[data-deployment="2"]')).toContainText('Rejected')
})
