// The audit log end to end in Chromium: the admin sees foundation.spec.ts's sign-ins and
// environment creations, filters by action, opens an event, verifies the chain, and downloads
// NDJSON and CSV exports that re-verify with chainHash. The export refuses the signed out
// (401), bad parameters (400) and a viewer (403). Last, a superuser's edit of one row (trigger
// disabled, put back afterwards) turns the chain red on the page and in every page's banner.
import { readFile } from 'node:fs/promises'
import { expect, test, type Page } from '@playwright/test'
import pg from 'pg'
import { chainHash, GENESIS_HASH } from '../server/modules/audit/hash-chain'
import { env, expectNoConsoleErrors, screenshotBoth, signIn } from './helpers'

const PASSWORD = 'e2e-chosen-passphrase-42'
const VIEWER = { email: 'audit-viewer@e2e.test', name: 'Audit Viewer', password: 'viewer-passphrase-e2e-7' }

type ExportedRow = {
  id: string; at: string; actorType: string; actorId: string | null; actorLabel: string; action: string; targetType: string | null
  targetId: string | null; environmentId: string | null; ip: string | null; userAgent: string | null; outcome: string; summary: unknown
  prevHash: string; hash: string
}

function rowHash(row: ExportedRow): string {
  const { id: _id, prevHash, hash: _hash, at, ...fields } = row
  return chainHash(prevHash, { ...fields, at: new Date(at) })
}

async function signInAdmin(page: Page) {
  await signIn(page, env('E2E_ADMIN_EMAIL'), PASSWORD)
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
}

/** The action buttons of the rows shown (one per event). */
const actionCells = (page: Page) => page.locator('[data-event-id] button')

test.describe.configure({ mode: 'serial' })

test('admin sees sign-ins and environment changes, filters by action and opens an event', async ({ page }) => {
  await signInAdmin(page)
  await expectNoConsoleErrors(page, async () => {
    await page.goto('/audit')
    await expect(page.getByRole('heading', { name: 'Audit', level: 1 })).toBeVisible()
    await expect(actionCells(page).filter({ hasText: /^auth\.sign_in$/ }).first()).toBeVisible()
    await expect(actionCells(page).filter({ hasText: /^environment\.create$/ }).first()).toBeVisible()
    await expect(page.getByTestId('last-verification').or(page.getByText('The chain has not been verified yet'))).toBeVisible()
    await screenshotBoth(page, 'audit')

    await page.getByRole('combobox', { name: 'Action' }).click()
    await page.getByRole('option', { name: 'environment.create', exact: true }).click()
    await expect(page).toHaveURL(/\/audit\?action=environment\.create$/)
    // foundation.spec.ts created "Local engine" and "Unreachable staging" (other specs may add more).
    await expect(page.locator('[data-event-id]').filter({ hasText: 'Local engine' })).toHaveCount(1)
    await expect(page.locator('[data-event-id]').filter({ hasText: 'Unreachable staging' })).toHaveCount(1)
    await expect(actionCells(page).filter({ hasNotText: /^environment\.create$/ })).toHaveCount(0)
    const created = await actionCells(page).count()
    await expect(page.getByText(`${created} matching events shown`)).toBeVisible()
    await screenshotBoth(page, 'audit-filtered')

    await page.locator('[data-event-id]').filter({ hasText: 'Unreachable staging' }).getByRole('button').click()
    const sheet = page.getByRole('dialog')
    await expect(sheet.getByRole('heading', { name: /environment\.create/ })).toBeVisible()
    await expect(sheet).toContainText(env('E2E_ADMIN_EMAIL'))
    await expect(sheet.getByText('Unreachable staging').first()).toBeVisible()
    await expect(sheet.getByTestId('hash')).toHaveText(/^[0-9a-f]{64}$/)
    await expect(sheet.getByTestId('prev-hash')).toHaveText(/^[0-9a-f]{64}$/)
    await screenshotBoth(page, 'audit-event')

    // "Only this actor" narrows further and closes the drawer.
    await sheet.getByRole('button', { name: 'Only this actor' }).click()
    await expect(page.getByRole('dialog')).toHaveCount(0)
    await expect(page).toHaveURL(/actor=/)
    await expect(actionCells(page)).toHaveCount(created)
    await page.getByRole('button', { name: 'Reset filters' }).click()
    await expect(page).toHaveURL(/\/audit$/)
    await expect(actionCells(page).filter({ hasText: /^auth\.sign_in$/ }).first()).toBeVisible()
  })
})

test('verify chain says intact; NDJSON and CSV exports download and re-verify', async ({ page }) => {
  await signInAdmin(page)
  await expectNoConsoleErrors(page, async () => {
    await page.goto('/audit')
    await page.getByRole('button', { name: 'Verify chain' }).click()
    await expect(page.getByTestId('verify-result')).toContainText(/Chain intact: \d+ events checked/)
    await expect(page.getByTestId('last-verification')).toContainText('intact')
    // The run is itself an event.
    await expect(actionCells(page).filter({ hasText: /^audit\.verify$/ }).first()).toBeVisible()
    await screenshotBoth(page, 'audit-verified')

    // The whole log: re-verifies from the genesis hash.
    const [whole] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export NDJSON' }).click()])
    expect(whole.suggestedFilename()).toMatch(/^traider-audit-\d{8}T\d{6}Z\.ndjson$/)
    const rows = (await readFile(await whole.path(), 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as ExportedRow)
    expect(rows.length).toBeGreaterThan(5)
    let prev = GENESIS_HASH
    for (const row of rows) {
      expect(row.prevHash).toBe(prev)
      expect(rowHash(row)).toBe(row.hash)
      prev = row.hash
    }
    expect(rows.some((r) => r.action === 'environment.create')).toBe(true)

    // Filtered: only the filter's rows, each proving itself.
    await page.goto('/audit?action=auth.')
    await expect(actionCells(page).first()).toBeVisible()
    const [filtered] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export NDJSON' }).click()])
    const signIns = (await readFile(await filtered.path(), 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as ExportedRow)
    expect(signIns.length).toBeGreaterThan(2)
    for (const row of signIns) {
      expect(row.action.startsWith('auth.')).toBe(true)
      expect(rowHash(row)).toBe(row.hash)
    }

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()])
    expect(csv.suggestedFilename()).toMatch(/^traider-audit-\d{8}T\d{6}Z\.csv$/)
    const text = await readFile(await csv.path(), 'utf8')
    expect(text.split('\r\n')[0]).toBe('id,at,actorType,actorId,actorLabel,action,targetType,targetId,environmentId,ip,userAgent,outcome,summary,prevHash,hash')
    expect(text).toContain(',auth.sign_in,')
  })
})

test('the export refuses the signed out (401), bad parameters (400) and a viewer (403)', async ({ page, browser, baseURL, playwright }) => {
  const anonymous = await playwright.request.newContext({ baseURL })
  const signedOut = await anonymous.get('/api/audit/export?format=ndjson')
  expect(signedOut.status()).toBe(401)
  expect(signedOut.headers()['content-type']).toContain('application/problem+json')
  expect((await signedOut.json()).detail).toContain('Sign in again')
  await anonymous.dispose()

  await signInAdmin(page)
  const badFormat = await page.request.get('/api/audit/export?format=xml')
  expect(badFormat.status()).toBe(400)
  expect(await badFormat.json()).toMatchObject({ status: 400, detail: 'format must be ndjson or csv (e.g. ?format=ndjson).' })
  const badDate = await page.request.get('/api/audit/export?format=csv&from=yesterday')
  expect(badDate.status()).toBe(400)
  expect((await badDate.json()).detail).toContain('"from" is not a date')

  // A viewer (no audit:read): added by the admin, first sign-in changes the one-time password.
  await page.goto('/users')
  await page.getByRole('button', { name: 'Add user' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('E-mail').fill(VIEWER.email)
  await dialog.getByLabel('Name').fill(VIEWER.name)
  await dialog.getByRole('button', { name: 'Add user' }).click()
  const shown = page.getByRole('dialog').filter({ hasText: `${VIEWER.name} can now sign in` })
  const oneTime = await shown.getByRole('textbox', { name: 'One-time password' }).inputValue()
  await shown.getByRole('button', { name: 'Done' }).click()

  const context = await browser.newContext({ baseURL, viewport: { width: 1440, height: 900 } })
  const viewer = await context.newPage()
  await signIn(viewer, VIEWER.email, oneTime)
  await viewer.getByLabel('One-time password').fill(oneTime)
  await viewer.getByLabel('New password', { exact: true }).fill(VIEWER.password)
  await viewer.getByLabel('Confirm new password').fill(VIEWER.password)
  await viewer.getByRole('button', { name: 'Change password' }).click()
  await expect(viewer.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  const forbidden = await viewer.request.get('/api/audit/export?format=ndjson')
  expect(forbidden.status()).toBe(403)
  expect((await forbidden.json()).detail).toBe('Permission required: audit:read. Ask an administrator for a role that includes it.')
  await viewer.goto('/audit')
  await expect(viewer.getByText('Permission required: audit:read')).toBeVisible()
  await screenshotBoth(viewer, 'audit-viewer-forbidden')
  await context.close()

  // The refusal is on the record.
  await page.goto(`/audit?action=auth.permission_denied&actor=${encodeURIComponent(VIEWER.email)}`)
  await expect(actionCells(page)).toHaveCount(1)
})

test('a row edited behind the log’s back: Verify chain names it and every page shows the banner', async ({ page }) => {
  const client = new pg.Client({ connectionString: env('E2E_DATABASE_URL') })
  await client.connect()
  const victim = (await client.query<{ id: string; actorLabel: string }>(`SELECT id::text AS id, "actorLabel" FROM "AuditEvent" WHERE action = 'environment.create' ORDER BY "AuditEvent".id LIMIT 1`)).rows[0]
  await client.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER audit_event_no_update_delete`)
  try {
    await client.query(`UPDATE "AuditEvent" SET "actorLabel" = 'mallory@e2e.test' WHERE id = $1`, [victim.id])
    await signInAdmin(page)
    await page.goto('/audit')
    await page.getByRole('button', { name: 'Verify chain' }).click()
    await expect(page.getByTestId('verify-result')).toContainText(`Chain broken at row ${victim.id}`)
    await expect(page.getByTestId('verify-result')).toContainText('it was edited after it was written')
    const banner = page.getByTestId('audit-banner')
    await expect(banner).toContainText(`Audit chain broken at row ${victim.id}: row ${victim.id}'s contents do not match its hash`)
    await expect(banner).toContainText('Investigate before trusting the log.')
    await screenshotBoth(page, 'audit-broken')
    // The row itself is marked in the table (it shows the edited actor).
    await page.goto('/audit?action=environment.create')
    const marked = page.locator('[data-chain-broken]')
    await expect(marked).toHaveAttribute('data-event-id', victim.id)
    await expect(marked).toContainText('Chain breaks here')
    await expect(marked).toContainText('mallory@e2e.test')
    await screenshotBoth(page, 'audit-broken-row')
    await page.goto('/environments')
    await expect(page.getByTestId('audit-banner')).toBeVisible()
    await screenshotBoth(page, 'audit-banner-environments')
  } finally {
    await client.query(`UPDATE "AuditEvent" SET "actorLabel" = $2 WHERE id = $1`, [victim.id, victim.actorLabel])
    await client.query(`ALTER TABLE "AuditEvent" ENABLE TRIGGER audit_event_no_update_delete`)
    await client.end()
  }
  // Put back: the next verification passes and the banner goes away.
  await page.goto('/audit')
  await page.getByRole('button', { name: 'Verify chain' }).click()
  await expect(page.getByTestId('verify-result')).toContainText('Chain intact')
  await expect(page.getByTestId('audit-banner')).toHaveCount(0)
})
