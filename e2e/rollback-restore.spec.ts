// "Roll back and also restore the database" end to end in Chromium, against the real worker,
// Docker engine and local PostgreSQL: an admin deploys v1 and v2 of the fixture stack (each
// with a pg_dump pre-deploy backup of a database this spec made), rows are written after
// each, then the rollback to release 1 is confirmed in the dialog with the restore ticked. The
// rollback's page shows the linked restore; once both succeed the database holds exactly the
// rows of v2's pre-deploy backup, the port serves v1, and the replaced database is kept as
// <db>_pre_restore_<time>. Runs after foundation.spec.ts, which set the admin's password.
import { rm } from 'node:fs/promises'
import { expect, test, type Page } from '@playwright/test'
import pg from 'pg'
import { fixtureWebStack, fixtureStackHooks, removeProjectContainers, servedOn } from './fixture-stack'
import { env, signIn } from './helpers'
import { createEnvironment, deployRelease, saveFirstStack, shoot } from './portal-steps'

const PASSWORD = 'e2e-chosen-passphrase-42'
const ENV_NAME = 'Rollback restore'
const SLUG = 'rollback-restore'
const ENV_PATH = `/environments/${SLUG}`
// The compose project the engine uses for this environment (traider-<slug>).
const PROJECT = `traider-${SLUG}`
const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres'
// Short: the kept copy is named <first 30 characters>_pre_restore_<time>.
const DB = `e2e_rr_${Date.now().toString(36)}`

const port = fixtureStackHooks(() => removeProjectContainers(PROJECT), { timeoutMs: 120_000 })

/** A query on the local PostgreSQL, or with `database: null` on the control plane's own (e2e) database. */
async function sql(query: string, database: string | null = 'postgres') {
  const client = new pg.Client({ connectionString: database === null ? env('E2E_DATABASE_URL') : ADMIN_URL.replace(/\/postgres$/, `/${database}`) })
  await client.connect()
  try {
    return await client.query(query)
  } finally {
    await client.end()
  }
}

const rowCount = async () => (await sql('SELECT count(*)::int AS n FROM fills', DB)).rows[0].n as number
const addRows = (n: number) => sql(`INSERT INTO fills(qty) SELECT g FROM generate_series(1, ${n}) g`, DB)

/** Deploys WEB_TAG=tag through the deploy dialog (bake 1 s) and waits for it and its pre-deploy backup to succeed. */
async function deploy(page: Page, tag: string) {
  await deployRelease(page, { name: ENV_NAME, path: ENV_PATH }, tag, { timeout: 60_000 })
  await expect(page.locator('[data-step="backup"]')).toContainText('Succeeded')
  await expect.poll(() => servedOn(port()), { timeout: 20_000 }).toBe(`traider fixture ${tag}`)
}

test.beforeAll(async () => {
  await sql(`CREATE DATABASE ${DB}`)
  await sql('CREATE TABLE fills(id serial PRIMARY KEY, qty int); INSERT INTO fills(qty) SELECT g FROM generate_series(1, 10) g', DB)
})

test.afterAll(async () => {
  // The live database, the kept <db>_pre_restore_<time> and any staging copy a failed restore left.
  const left = await sql(`SELECT datname FROM pg_database WHERE datname LIKE '${DB}%'`)
  for (const { datname } of left.rows as { datname: string }[]) await sql(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
  // The worker (started in the repository root) wrote this environment's dumps under BACKUP_DIR's default.
  await rm(`.data/backups/${SLUG}`, { recursive: true, force: true })
})

test('roll back to release 1 and restore the database to the pre-deploy backup of release 2', async ({ page }) => {
  test.setTimeout(150_000)
  let atV2Backup = 0
  const card = page.getByTestId('linked-restore-card')
  const restore = card.getByTestId('linked-restore')
  await signIn(page, env('E2E_ADMIN_EMAIL'), PASSWORD)

  await test.step('environment, stack and backups set up in the portal', async () => {
    // A development environment with the fixture stack.
    await createEnvironment(page, ENV_NAME, ENV_PATH)
    await saveFirstStack(page, fixtureWebStack(port()))

    // Its database: the one this spec made, backed up with pg_dump on the worker's host (no schedules: only pre-deploy backups).
    await page.goto('/backups')
    await page.getByLabel('Environment').selectOption({ label: ENV_NAME })
    const settings = page.getByTestId('backup-settings')
    await settings.getByLabel('Database runs').selectOption('HOST')
    await settings.getByLabel('Host or socket directory').fill('127.0.0.1')
    await settings.getByLabel('Port').fill('5432')
    await settings.getByLabel('Database', { exact: true }).fill(DB)
    await settings.getByLabel('Schedules on').uncheck()
    await settings.getByRole('button', { name: 'Save backup settings' }).click()
    await expect(page.getByText('Backup settings saved; schedules updated.')).toBeVisible()
  })

  await test.step('v1 and v2 deployed, each with a pre-deploy backup, rows written after each', async () => {
    await deploy(page, 'v1')
    await addRows(40) // written while release 1 ran: in release 2's pre-deploy backup
    await deploy(page, 'v2')
    atV2Backup = await rowCount()
    expect(atV2Backup).toBe(50)
    await addRows(25) // written while release 2 ran: replaced by the restore
    expect(await rowCount()).toBe(75)

    // What the worker counted when it took release 2's pre-deploy backup (deployment #2).
    const counted = await sql(
      `SELECT b."tableCounts" AS counts FROM "Backup" b JOIN "Deployment" d ON d.id = b."deploymentId" JOIN "Environment" e ON e.id = d."environmentId"
       WHERE e.slug = '${SLUG}' AND d.number = 2 AND b.trigger = 'PRE_DEPLOY' AND b.verified`,
      null,
    )
    expect(counted.rows).toHaveLength(1)
    expect(counted.rows[0].counts).toEqual({ 'public.fills': atV2Backup })
  })

  await test.step('rollback to release 1 confirmed in the dialog with the restore ticked', async () => {
    await page.goto(ENV_PATH)
    const history = page.locator('[data-slot="card"]').filter({ has: page.getByText('Release history', { exact: true }) })
    await expect(history.locator('tr[data-release="2"]')).toContainText('current')
    await history.locator('tr[data-release="1"]').getByRole('button', { name: 'Roll back to this' }).click()
    const confirm = page.getByRole('alertdialog')
    const option = confirm.getByTestId('restore-option')
    await expect(option).toContainText('Also restore the database to the pre-deploy backup')
    await expect(option).toContainText(/logical pg_dump backup taken just before deployment #2 \(.+\), verified/)
    await expect(confirm.getByText('Data written since that backup is replaced')).toBeHidden()
    await option.getByRole('checkbox').check()
    await expect(confirm.getByText('Data written since that backup is replaced')).toBeVisible()
    await expect(confirm.getByText(/kept as a copy named …_pre_restore_<time>/)).toBeVisible()
    await shoot(page, 'rollback-restore-dialog')
    await confirm.getByRole('button', { name: 'Roll back to release 1 and restore' }).click()
  })

  await test.step('the rollback page shows the linked restore until both succeed', async () => {
    // The rollback's page shows the restore it carries: queued until the rollback has succeeded.
    await expect(page).toHaveURL(/\/deployments\/[^/]+$/)
    await expect(page.getByRole('heading', { name: new RegExp(`#3 Rollback · ${ENV_NAME}`) })).toBeVisible()
    await expect(card).toContainText('Database restore with this rollback')
    await expect(restore).toHaveAttribute('data-restore-status', 'QUEUED')
    await expect(restore).toContainText(`In place over ${DB}`)
    await expect(card.getByTestId('linked-restore-backup')).toContainText('From the logical (pg_dump) pre-deploy backup of')
    await expect(card.getByTestId('linked-restore-outcome')).toContainText('Waits for this rollback to succeed')
    await shoot(page, 'rollback-restore-waiting')

    await expect(page.getByTestId('outcome')).toContainText('Succeeded', { timeout: 90_000 })
    await expect(restore).toHaveAttribute('data-restore-status', 'SUCCEEDED', { timeout: 60_000 })
    await expect(restore.locator('[data-status="succeeded"]')).toBeVisible()
    await expect(card.getByTestId('linked-restore-outcome')).toHaveText(`Database ${DB} restored in place.`)
    await shoot(page, 'rollback-restore-done')
  })

  await test.step('database, port and kept copy checked', async () => {
    // The database holds what it held at release 2's pre-deploy backup, release 1 serves, the replaced database is kept.
    expect(await rowCount()).toBe(atV2Backup)
    await expect.poll(() => servedOn(port()), { timeout: 20_000 }).toBe('traider fixture v1')
    const kept = await sql(`SELECT datname FROM pg_database WHERE datname ~ '^${DB}_pre_restore_[0-9]+$'`)
    expect(kept.rows).toHaveLength(1)
    expect((await sql('SELECT count(*)::int AS n FROM fills', kept.rows[0].datname)).rows[0].n).toBe(75)
  })

  await test.step("the card's link opens the environment's Backups page, which lists the same restore", async () => {
    await card.getByRole('link', { name: `Backups of ${ENV_NAME}` }).click()
    await expect(page).toHaveURL(/\/backups\?environment=/)
    await expect(page.getByTestId('restore-item').first()).toContainText(`Database ${DB} restored in place.`)
  })
})
