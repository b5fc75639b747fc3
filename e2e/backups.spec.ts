// Backups end to end in Chromium against the real worker: the spec makes a small database on
// the local PostgreSQL (127.0.0.1:5432), an admin creates an environment, points its backups at
// that database ("on the worker's host", pg_dump), saves (schedules appear with their next
// runs), backs up now and sees the backup verified (SHA-256, ✓), then restores it into a new
// database and sees the restore succeed; the restored row count is checked with psql's view.
// The dashboard card shows the backup's freshness. Runs after foundation.spec.ts.
import { rm } from 'node:fs/promises'
import { expect, test, type Page } from '@playwright/test'
import pg from 'pg'
import { env, screenshotBoth, signIn } from './helpers'

const ADMIN_PASSWORD = 'e2e-chosen-passphrase-42'
const ENV_NAME = 'Backups dev'
const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres'
const SOURCE_DB = `e2e_backups_src_${Date.now().toString(36)}`
const RESTORED_DB = `${SOURCE_DB}_restored`

async function adminQuery(sql: string, database = 'postgres') {
  const client = new pg.Client({ connectionString: ADMIN_URL.replace(/\/postgres$/, `/${database}`) })
  await client.connect()
  try {
    return await client.query(sql)
  } finally {
    await client.end()
  }
}

/** Screenshots without toasts over the content. */
async function shoot(page: Page, name: string) {
  const toasts = page.locator('[data-sonner-toast]')
  for (let i = 0; i < 5 && (await toasts.count()) > 0; i++) {
    await page.locator('[data-sonner-toast] [data-close-button]').first().click({ timeout: 2_000 }).catch(() => {})
  }
  await screenshotBoth(page, name)
}

test.beforeAll(async () => {
  await adminQuery(`CREATE DATABASE ${SOURCE_DB}`)
  await adminQuery(`CREATE TABLE positions(id serial PRIMARY KEY, sym text, qty int); INSERT INTO positions(sym, qty) SELECT 'SYM' || g, g FROM generate_series(1, 1234) g;`, SOURCE_DB)
})

test.afterAll(async () => {
  await adminQuery(`DROP DATABASE IF EXISTS ${RESTORED_DB} WITH (FORCE)`)
  await adminQuery(`DROP DATABASE IF EXISTS ${SOURCE_DB} WITH (FORCE)`)
  // The worker (started in the repository root) wrote this environment's dumps under BACKUP_DIR's default.
  await rm('.data/backups/backups-dev', { recursive: true, force: true })
})

test('back up now, see it verified, restore into a new database', async ({ page }) => {
  test.setTimeout(180_000)
  await signIn(page, env('E2E_ADMIN_EMAIL'), ADMIN_PASSWORD)
  await page.goto('/environments')
  await page.getByRole('button', { name: 'New environment' }).first().click()
  const create = page.getByRole('dialog')
  await create.getByLabel('Name').fill(ENV_NAME)
  await create.getByRole('button', { name: 'Create environment' }).click()
  await expect(page).toHaveURL(/\/environments\/backups-dev$/)

  await page.goto('/backups')
  await page.getByLabel('Environment').selectOption({ label: ENV_NAME })
  await expect(page.getByText('Backups are not set up for this environment')).toBeVisible()
  await shoot(page, 'backups-not-set-up')

  const settings = page.getByTestId('backup-settings')
  await settings.getByLabel('Database runs').selectOption('HOST')
  await settings.getByLabel('Host or socket directory').fill('127.0.0.1')
  await settings.getByLabel('Port').fill('5432')
  await settings.getByLabel('Database', { exact: true }).fill('Bad Name; drop')
  await settings.getByLabel('Backup (cron, UTC)').fill('every hour')
  await settings.getByRole('button', { name: 'Save backup settings' }).click()
  await expect(settings.getByText('Write five cron fields')).toBeVisible()
  await settings.getByLabel('Backup (cron, UTC)').fill('0 * * * *')
  await settings.getByLabel('Database', { exact: true }).fill(SOURCE_DB)
  await settings.getByRole('button', { name: 'Save backup settings' }).click()
  await expect(page.getByText('Backup settings saved; schedules updated.')).toBeVisible()
  // The schedulers exist in the worker's queue: the next hourly run is shown.
  await expect(settings.getByText(/Next run/).first()).toBeVisible()

  await page.getByRole('button', { name: 'Back up now' }).click()
  const table = page.getByTestId('backup-table')
  await expect(table.getByTestId('verified-yes')).toBeVisible({ timeout: 60_000 })
  await expect(table).toContainText('Logical (pg_dump)')
  await expect(page.getByTestId('backup-log')).toContainText('verified ✓')
  await expect(page.getByText(/^SHA-256 matches, \d+ bytes, pg_restore lists data for all 1 table/)).toBeVisible()
  await expect(page.getByTestId('backup-page-freshness')).toContainText('Verified backup')
  await shoot(page, 'backups-verified')

  await page.getByRole('button', { name: 'Restore…' }).click()
  const dialog = page.getByRole('dialog')
  await expect(dialog.getByText(`Creates a new database next to ${SOURCE_DB}`)).toBeVisible()
  await dialog.getByLabel('New database name').fill(RESTORED_DB)
  await dialog.getByLabel('Reason (for the audit log and approvers)').fill('e2e restore check')
  await shoot(page, 'backups-restore-dialog')
  await dialog.getByRole('button', { name: `Restore into ${RESTORED_DB}` }).click()
  const item = page.getByTestId('restore-item').first()
  await expect(item).toContainText('Succeeded', { timeout: 60_000 })
  await expect(item).toContainText(`Restored into new database ${RESTORED_DB}.`)
  const restored = await adminQuery('SELECT count(*)::int AS n FROM positions', RESTORED_DB)
  expect(restored.rows[0].n).toBe(1234)
  await shoot(page, 'backups-restored')

  await page.goto('/')
  const card = page.locator('[data-slot="card"]', { hasText: ENV_NAME })
  await expect(card.getByTestId('backup-freshness')).toContainText('Verified backup')
  await shoot(page, 'backups-dashboard-freshness')
})
