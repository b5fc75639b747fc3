// Deploying end to end in Chromium against the real worker and Docker engine: an admin
// pastes a stack (after seeing a validation error), deploys v1 and v2 of a fixture image
// and checks what the published port serves, watches a crashing release roll back by
// itself, then rolls back to release 1 from the environment page. Runs after
// foundation.spec.ts, which set the admin's password.
import { expect, test, type Page } from '@playwright/test'
import { fixtureWebStack, fixtureStackHooks, removeProjectContainers as removeFixtureProject, servedOn } from './fixture-stack'
import { env, expectNoConsoleErrors, signIn } from './helpers'
import { createEnvironment, openDeployDialog, reviewPlan, shoot } from './portal-steps'

const PASSWORD = 'e2e-chosen-passphrase-42'
const ENV_NAME = 'Deploy target'
const ENV_PATH = '/environments/deploy-target'
// The compose project the engine uses for this environment (traider-<slug>).
const PROJECT = 'traider-deploy-target'

function removeProjectContainers() {
  removeFixtureProject(PROJECT)
}

const port = fixtureStackHooks(removeProjectContainers)

const served = () => servedOn(port())

async function expectServes(body: string) {
  await expect.poll(served, { timeout: 20_000, message: `port ${port()} should serve "${body}"` }).toBe(body)
}

/** Opens Deploy, sets WEB_TAG and the bake window, reviews the plan; returns the dialog. */
async function openPlan(page: Page, tag: string, bakeSeconds: number, expectedPrefill?: string, screenshot?: string) {
  const dialog = await openDeployDialog(page, ENV_PATH)
  if (expectedPrefill) await expect(dialog.getByLabel('WEB_TAG')).toHaveValue(expectedPrefill)
  if (screenshot) await shoot(page, screenshot)
  await reviewPlan(dialog, tag, bakeSeconds)
  return dialog
}

async function confirmDeploy(page: Page, changes: RegExp) {
  await page.getByRole('dialog').getByRole('button', { name: changes }).click()
  await expect(page).toHaveURL(/\/deployments\/[^/]+$/)
}

async function expectOutcome(page: Page, word: string) {
  await expect(page.getByTestId('outcome')).toContainText(word, { timeout: 90_000 })
}

test.describe.configure({ mode: 'serial' })


test('admin creates an environment and saves a stack after seeing a validation error', async ({ page }) => {
  await signIn(page, env('E2E_ADMIN_EMAIL'), PASSWORD)
  await expectNoConsoleErrors(page, async () => {
    await createEnvironment(page, ENV_NAME, ENV_PATH)

    await expect(page.getByText('No stack yet')).toBeVisible()
    // Deploy waits for a stack.
    await expect(page.getByRole('button', { name: 'Deploy', exact: true })).toBeDisabled()
    await page.getByRole('button', { name: 'Paste a compose file' }).click()
    const editor = page.getByRole('dialog')
    await editor.getByLabel('Compose file').fill('services: {web: {build: .}}')
    await expect(editor.getByTestId('stack-errors')).toContainText('does not support', { timeout: 10_000 })
    await expect(editor.getByTestId('stack-errors')).toContainText('line 1')
    await expect(editor.getByRole('button', { name: /Save version 1/ })).toBeDisabled()
    await shoot(page, 'stack-editor-error')

    await editor.getByLabel('Compose file').fill(fixtureWebStack(port()))
    await expect(editor.getByText('Valid:')).toBeVisible({ timeout: 10_000 })
    await expect(editor.getByText('release variables: WEB_TAG')).toBeVisible()
    await editor.getByRole('button', { name: 'Save version 1' }).click()
    await expect(page.getByText('Stack version 1 saved')).toBeVisible()
    await expect(page.getByText(/Version 1 · pasted/)).toBeVisible()
    await expect(page.getByRole('button', { name: 'Deploy', exact: true })).toBeEnabled()
  })
})

test('deploying v1 succeeds and the port serves v1', async ({ page }) => {
  test.setTimeout(180_000)
  await signIn(page, env('E2E_ADMIN_EMAIL'), PASSWORD)
  const dialog = await openPlan(page, 'v1', 2)
  await expect(dialog.locator('[data-action="create"]:visible')).toBeVisible()
  await shoot(page, 'deploy-plan-review')
  await confirmDeploy(page, new RegExp(`Deploy release to ${ENV_NAME}: 1 service changes`))
  await expect(page.getByRole('heading', { name: new RegExp(`#1 Deploy · ${ENV_NAME}`) })).toBeVisible()
  await expectOutcome(page, 'Succeeded')
  await expect(page.locator('[data-step="rollout"]')).toContainText('Succeeded')
  await expect(page.locator('[data-step="verify"]')).toContainText('Succeeded')
  await expect(page.getByRole('log')).toContainText('web: new container healthy')
  await shoot(page, 'deployment-succeeded')
  await expectServes('traider fixture v1')
})

test('deploying v2 is followed live and then serves v2', async ({ page }) => {
  test.setTimeout(180_000)
  await signIn(page, env('E2E_ADMIN_EMAIL'), PASSWORD)
  // A longer bake window keeps the deployment running long enough to look at it.
  const dialog = await openPlan(page, 'v2', 12, 'v1', 'deploy-variables')
  await expect(dialog.locator('[data-action="replace"]:visible')).toBeVisible()
  await confirmDeploy(page, new RegExp(`Deploy release to ${ENV_NAME}: 1 service changes`))
  await expect(page.locator('[data-step="verify"][data-step-status="RUNNING"]')).toBeVisible({ timeout: 60_000 })
  await expect(page.getByRole('log')).toContainText('bake window: 12 s')
  await expect(page.getByRole('button', { name: 'Cancel deployment' })).toBeVisible()
  await shoot(page, 'deployment-running')
  await expectOutcome(page, 'Succeeded')
  await expectServes('traider fixture v2')
})

test('a crashing release rolls back by itself and v2 keeps serving', async ({ page }) => {
  test.setTimeout(180_000)
  await signIn(page, env('E2E_ADMIN_EMAIL'), PASSWORD)
  await openPlan(page, 'crash', 2, 'v2')
  await confirmDeploy(page, new RegExp(`Deploy release to ${ENV_NAME}: 1 service changes`))
  await expectOutcome(page, 'Rolled back')
  await expect(page.getByTestId('outcome')).toContainText('boom')
  await expect(page.locator('[data-step="rollout"]')).toContainText('Failed')
  await expect(page.locator('[data-step="rollback"]')).toContainText('Succeeded')
  await expect(page.locator('[data-status="rolled_back"]').first()).toBeVisible()
  await expect(page.locator('[data-level="warn"]').first()).toBeVisible()
  await shoot(page, 'deployment-rolled-back')
  await expectServes('traider fixture v2')
})

test('rolling back to release 1 from the environment page serves v1 again', async ({ page }) => {
  test.setTimeout(180_000)
  await signIn(page, env('E2E_ADMIN_EMAIL'), PASSWORD)
  await page.goto(ENV_PATH)
  const history = page.locator('[data-slot="card"]').filter({ has: page.getByText('Release history', { exact: true }) })
  await expect(history.locator('tr[data-release="2"]')).toContainText('current')
  await expect(history.locator('tr[data-release="3"]')).toContainText('Rolled back')
  // The containers card reads the engine: the v2 container, healthy.
  const containers = page.locator('[data-slot="card"]').filter({ has: page.getByText('Containers', { exact: true }) })
  await expect(containers.locator('[data-status="healthy"]')).toBeVisible({ timeout: 15_000 })
  await page.getByRole('button', { name: /Show compose file/ }).click()
  await shoot(page, 'environment-deployed')

  // A container's log opens in a side panel.
  await containers.getByRole('button', { name: 'Show the log of web' }).click()
  await expect(page.getByRole('dialog').getByText('Log of web')).toBeVisible()
  await expect(page.getByRole('dialog').getByText(/Last 200 lines/)).toBeVisible()
  await shoot(page, 'container-log')
  await page.keyboard.press('Escape')

  await history.locator('tr[data-release="1"]').getByRole('button', { name: 'Roll back to this' }).click()
  const confirm = page.getByRole('alertdialog')
  await expect(confirm).toContainText(`Roll back ${ENV_NAME} to release 1: the running services are replaced by release 1's images`)
  await confirm.getByRole('button', { name: 'Roll back to release 1' }).click()
  await expect(page).toHaveURL(/\/deployments\/[^/]+$/)
  await expect(page.getByRole('heading', { name: new RegExp(`#4 Rollback · ${ENV_NAME}`) })).toBeVisible()
  await expectOutcome(page, 'Succeeded')
  await expectServes('traider fixture v1')
})

test('the deployments list and the dashboard show what happened', async ({ page }) => {
  await signIn(page, env('E2E_ADMIN_EMAIL'), PASSWORD)
  await page.goto('/deployments')
  // Other specs deploy to their own environments: count this one's rows only.
  await expect(page.locator('tr[data-deployment]').filter({ hasText: 'Deploy target' })).toHaveCount(4)
  await expect(page.locator('tr[data-deployment="3"]')).toContainText('Rolled back')
  await shoot(page, 'deployments-list')
  await page.getByRole('combobox', { name: 'Filter by status' }).click()
  await page.getByRole('option', { name: 'Rolled back' }).click()
  await expect(page.locator('tr[data-deployment]')).toHaveCount(1)

  // Break-glass says where it goes (the last success before the current release 1: release 2) and wants a reason.
  await page.goto(ENV_PATH)
  await page.getByRole('button', { name: 'Emergency rollback' }).click()
  const emergency = page.getByRole('dialog')
  await expect(emergency).toContainText('straight back from release 1 to release 2')
  await emergency.getByRole('button', { name: `Roll back ${ENV_NAME} to release 2 now` }).click()
  await expect(emergency.getByText('at least 5 characters').last()).toBeVisible()
  await shoot(page, 'emergency-rollback-dialog')
  await page.keyboard.press('Escape')

  await page.goto('/')
  const card = page.locator('[data-slot="card"]').filter({ has: page.getByRole('link', { name: ENV_NAME, exact: true }) })
  await expect(card).toContainText('Release 1')
  await expect(card).toContainText('running since')
  await expect(card.getByRole('link', { name: /Last deployment: #4, succeeded/ })).toBeVisible()
  await shoot(page, 'dashboard-deployed')
})
