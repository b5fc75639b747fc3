// Secrets end to end in Chromium against the real worker and Docker engine: an admin saves a
// stack that references two secrets, sees both marked "missing" on the Secrets page, sets them
// through the write-only field (the badges clear, the value never appears in the page), deploys
// (the container reads the file and the variable), rotates one, sees the affected service
// marked, and redeploys it from the Secrets page. Runs after foundation.spec.ts.
import { execSync } from 'node:child_process'
import { expect, test, type Page } from '@playwright/test'
import { fixtureWebStack, fixtureStackHooks, removeProjectContainers as removeFixtureProject } from './fixture-stack'
import { env, expectNoConsoleErrors, signIn } from './helpers'
import { createEnvironment, saveFirstStack, shoot } from './portal-steps'

const PASSWORD = 'e2e-chosen-passphrase-42'
const ENV_NAME = 'Secrets target'
const ENV_SLUG = 'secrets-target'
const PROJECT = `traider-${ENV_SLUG}`
const DB_PASSWORD = `e2e-db-${Date.now().toString(36)}-value`
const API_KEY = `e2e-api-${Date.now().toString(36)}-value`
const ROTATED = `${DB_PASSWORD}-rotated`

const SERVICE_EXTRA = `    secrets:
      - db_password
      - source: api_key
        x-traider: { env: API_KEY }
`
const TOP_LEVEL = `secrets:
  db_password:
    x-traider: { secret: db-password }
  api_key:
    x-traider: { secret: api-key }
`

function removeProjectContainers() {
  removeFixtureProject(PROJECT)
  execSync(`rm -rf /dev/shm/traider-secrets/${PROJECT}-*`, { stdio: 'ignore' })
}

const port = fixtureStackHooks(removeProjectContainers)

function runningContainer(): string {
  return execSync(`docker ps -q --filter label=com.docker.compose.project=${PROJECT} --filter label=com.docker.compose.service=web`).toString().trim()
}

async function setSecret(page: Page, name: string, value: string, button: 'Set value' | 'Rotate') {
  await page.getByTestId(`secret-row-${name}`).getByRole('button', { name: button }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByTestId('secret-value').fill(value)
  await dialog.getByRole('button', { name: button === 'Rotate' ? 'Save new version' : 'Save secret' }).click()
  await expect(dialog).toBeHidden()
}

test.describe.configure({ mode: 'serial' })


test('a stack that references secrets shows them missing until they are set', async ({ page }) => {
  await signIn(page, env('E2E_ADMIN_EMAIL'), PASSWORD)
  await expectNoConsoleErrors(page, async () => {
    await createEnvironment(page, ENV_NAME, `/environments/${ENV_SLUG}`)
    await saveFirstStack(page, fixtureWebStack(port(), { serviceExtra: SERVICE_EXTRA, topLevel: TOP_LEVEL }))

    await page.goto(`/secrets?env=${ENV_SLUG}`)
    await expect(page.getByTestId('store-health')).toContainText('reachable')
    await expect(page.getByTestId('secret-row-db-password').getByTestId('missing-badge')).toBeVisible()
    await expect(page.getByTestId('secret-row-api-key').getByTestId('missing-badge')).toBeVisible()
    await expect(page.getByTestId('secret-row-api-key')).toContainText('$API_KEY')
    await expect(page.getByTestId('secret-row-db-password')).toContainText('/run/secrets/db_password')
    await shoot(page, 'secrets-missing')

    await page.getByTestId('secret-row-db-password').getByRole('button', { name: 'Set value' }).click()
    await expect(page.getByRole('dialog').getByTestId('secret-value')).toHaveAttribute('type', 'password')
    await page.getByRole('dialog').getByTestId('secret-value').fill(DB_PASSWORD)
    await shoot(page, 'secrets-set-dialog')
    await page.getByRole('dialog').getByRole('button', { name: 'Save secret' }).click()
    await expect(page.getByRole('dialog')).toBeHidden()
    await setSecret(page, 'api-key', API_KEY, 'Set value')
    await expect(page.getByTestId('missing-badge')).toHaveCount(0)
    await expect(page.getByTestId('secret-row-db-password')).toContainText('v1')
    await shoot(page, 'secrets-set')
    const html = await page.content()
    expect(html).not.toContain(DB_PASSWORD)
    expect(html).not.toContain(API_KEY)
  })
})

test('deploying injects the file and the variable; a rotation asks for a redeploy, which replaces the container', async ({ page }) => {
  test.setTimeout(240_000)
  await signIn(page, env('E2E_ADMIN_EMAIL'), PASSWORD)
  await page.goto(`/environments/${ENV_SLUG}`)
  await page.getByRole('button', { name: 'Deploy', exact: true }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('WEB_TAG').fill('v1')
  await dialog.getByLabel('Bake window (seconds)').fill('1')
  await dialog.getByRole('button', { name: 'Review plan' }).click()
  await expect(dialog.getByTestId('plan-hash')).toBeVisible({ timeout: 30_000 })
  await dialog.getByRole('button', { name: new RegExp(`Deploy release to ${ENV_NAME}`) }).click()
  await expect(page).toHaveURL(/\/deployments\/[^/]+$/)
  await expect(page.getByTestId('outcome')).toContainText('Succeeded', { timeout: 90_000 })
  await expect(page.getByRole('log')).toContainText('secrets read at rollout: db-password v1, api-key v1')
  await expect(page.getByRole('log')).toContainText('secrets: 2 secrets present and non-empty')
  const first = runningContainer()
  expect(execSync(`docker exec ${first} cat /run/secrets/db_password`).toString()).toBe(DB_PASSWORD)
  expect(execSync(`docker exec ${first} sh -c 'echo "$API_KEY"'`).toString().trim()).toBe(API_KEY)
  expect(await page.content()).not.toContain(DB_PASSWORD)

  await page.goto(`/secrets?env=${ENV_SLUG}`)
  await setSecret(page, 'db-password', ROTATED, 'Rotate')
  await expect(page.getByTestId('secret-row-db-password')).toContainText('v2')
  await expect(page.getByTestId('secret-row-db-password')).toContainText('redeploy needed')
  await expect(page.getByTestId('needs-redeploy')).toContainText('web runs with a secret that was rotated')
  await shoot(page, 'secrets-rotated')
  await page.getByRole('button', { name: 'Redeploy affected services' }).click()
  await expect(page).toHaveURL(/\/deployments\/[^/]+$/)
  await expect(page.getByTestId('outcome')).toContainText('Succeeded', { timeout: 90_000 })
  await expect(page.getByRole('log')).toContainText('its secrets changed')
  const second = runningContainer()
  expect(second).not.toBe(first)
  expect(execSync(`docker exec ${second} cat /run/secrets/db_password`).toString()).toBe(ROTATED)

  await page.goto(`/secrets?env=${ENV_SLUG}`)
  await expect(page.getByTestId('needs-redeploy')).toHaveCount(0)
  await expect(page.getByTestId('secret-row-db-password')).not.toContainText('redeploy needed')
})
