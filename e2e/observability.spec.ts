// Observability end to end in Chromium. Grafana and Jaeger cannot run here: local contract fixtures on 127.0.0.1 answer as their HTTP APIs do (Grafana /api/search and dashboard pages behind a bearer service-account token; Jaeger's search page). Prometheus is real (Debian's), scraping a fixture exporter of the trading stack's metrics.
// An admin creates an environment, stores the Grafana token in its secret store, sets its
// Prometheus/Grafana/Jaeger in the Metrics settings; the environment page draws native PromQL
// charts; the Observability page embeds the Grafana dashboard and Jaeger search through the
// portal's proxy, and the fixture saw the token while the browser never did. Runs after
// foundation.spec.ts, which set the admin's password.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, test } from '@playwright/test'
import pg from 'pg'
import { startPrometheus, type TestPrometheus } from '../test/prometheus'
import { env, expectNoConsoleErrors, screenshotBoth, signIn } from './helpers'

const ADMIN_PASSWORD = 'e2e-chosen-passphrase-42'
const TOKEN = 'glsa_e2eFixtureServiceAccountToken_42'
const SLUG = 'obs-staging'

type Fixture = { url: string; target: string; seen: Array<{ url: string; authorization?: string }>; close(): Promise<void> }

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Fixture> {
  const seen: Fixture['seen'] = []
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization })
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return { url: `http://127.0.0.1:${port}`, target: `127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) }
}

let grafana: Fixture
let jaeger: Fixture
let exporter: Fixture
let prometheus: TestPrometheus
const started = Date.now()

test.beforeAll(async () => {
  grafana = await serve((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/json' })
      res.end('{"message":"Unauthorized"}')
      return
    }
    const url = new URL(req.url ?? '/', 'http://grafana')
    if (url.pathname === '/api/search') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify([
        { uid: 'traider-trading-ops', title: 'TRAIDER trading operations', url: '/d/traider-trading-ops', type: 'dash-db', folderTitle: 'TRAIDER' },
        { uid: 'traider-control-plane', title: 'TRAIDER control plane', url: '/d/traider-control-plane', type: 'dash-db', folderTitle: 'TRAIDER' },
      ]))
      return
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': 'grafana_session=fixture; Path=/' })
    res.end(`<!doctype html><html><body style="font-family:sans-serif;background:#111217;color:#ccccdc;margin:0;padding:24px">
      <h1 style="font-size:18px">Grafana (contract fixture): ${url.pathname}</h1>
      <p>environment variable: ${url.searchParams.get('var-environment')}</p></body></html>`)
  })
  jaeger = await serve((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://jaeger')
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(`<!doctype html><html><body style="font-family:sans-serif;padding:24px"><h1 style="font-size:18px">Jaeger UI (contract fixture): ${pathname === '/search' || pathname === '/' ? 'search' : pathname}</h1></body></html>`)
  })
  // The trading backend's metrics: counters that grow with time, so rate() has data at once.
  exporter = await serve((_req, res) => {
    const s = (Date.now() - started) / 1000
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
    res.end(
      [
        '# TYPE traider_api_requests_total counter',
        `traider_api_requests_total{endpoint="/orders",status="200"} ${Math.floor(s * 40)}`,
        `traider_api_requests_total{endpoint="/quotes",status="200"} ${Math.floor(s * 25)}`,
        `traider_api_requests_total{endpoint="/orders",status="500"} ${Math.floor(s * 0.5)}`,
        '# TYPE traider_database_connections gauge',
        `traider_database_connections ${12 + Math.round(4 * Math.sin(s / 3))}`,
        '',
      ].join('\n'),
    )
  })
  prometheus = await startPrometheus([{ job: 'backend', target: exporter.target }])
})

test.afterAll(async () => {
  await prometheus?.stop()
  for (const f of [grafana, jaeger, exporter]) await f?.close()
})

test('metrics charts, and Grafana and Jaeger embedded through the proxy', async ({ page }) => {
  test.setTimeout(120_000)
  await signIn(page, env('E2E_ADMIN_EMAIL'), ADMIN_PASSWORD)
  const trpc = async (path: string, input: unknown) => {
    const response = await page.request.post(`/api/trpc/${path}`, { data: { json: input } })
    expect(response.ok(), `${path}: ${await response.text()}`).toBe(true)
    return ((await response.json()) as { result: { data: { json: Record<string, unknown> } } }).result.data.json
  }
  const created = await trpc('environment.create', { name: 'Obs staging', slug: SLUG, tier: 'STAGING', description: '', dockerEndpoint: 'unix:///var/run/docker.sock' })
  await trpc('secret.set', { environmentId: created.id, name: 'grafana-service-account-token', value: TOKEN })

  // Prometheus has scraped the exporter at least twice (rate() has something to say).
  for (let i = 0; i < 60 && (await prometheus.query('sum(rate(traider_api_requests_total[1m])) > 0')).length === 0; i++) await new Promise((r) => setTimeout(r, 500))

  await expectNoConsoleErrors(page, async () => {
    await page.goto(`/environments/${SLUG}`)
    const card = page.getByTestId('metrics-card')
    await expect(card.getByText('No Prometheus for this environment yet')).toBeVisible()
    await card.getByRole('button', { name: 'Settings' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('Prometheus URL').fill(prometheus.url)
    await dialog.getByLabel('Grafana URL').fill(grafana.url)
    await dialog.getByLabel('Jaeger URL').fill(jaeger.url)
    await dialog.getByRole('button', { name: 'Add gate' }).click()
    await dialog.getByLabel('Gate name').fill('error rate')
    await dialog.getByLabel('PromQL query').fill('sum(rate(traider_api_requests_total{status=~"5.."}[5m])) / sum(rate(traider_api_requests_total[5m]))')
    await dialog.getByLabel('Threshold').fill('0.01')
    await dialog.getByRole('button', { name: 'Save settings' }).click()
    await expect(page.getByText('Observability settings of Obs staging saved.')).toBeVisible()

    // Native charts from real PromQL range queries (through the server).
    await expect(card.getByTestId('chart-request-rate').locator('svg polyline')).toHaveCount(1, { timeout: 30_000 })
    await expect(card.getByTestId('chart-api-requests').locator('svg polyline')).toHaveCount(2)
    await expect(card.getByTestId('chart-database-connections').locator('svg polyline')).toHaveCount(1)
    await expect(card.getByTestId('gates')).toContainText('error rate')
    await card.scrollIntoViewIfNeeded()
    await screenshotBoth(page, 'environment-metrics')

    await page.goto(`/observability?env=${SLUG}`)
    const frame = page.getByTestId('grafana-frame')
    await expect(frame).toBeVisible()
    expect(await frame.getAttribute('src')).toMatch(new RegExp(`^/api/observability/grafana/${SLUG}/d/traider-trading-ops\\?`))
    await expect(page.frameLocator('[data-testid="grafana-frame"]').getByText('Grafana (contract fixture): /d/traider-trading-ops')).toBeVisible()
    await expect(page.frameLocator('[data-testid="grafana-frame"]').getByText(`environment variable: ${SLUG}`)).toBeVisible()
    await expect(page.frameLocator('[data-testid="jaeger-frame"]').getByText('Jaeger UI (contract fixture): search')).toBeVisible()
    await page.getByRole('tab', { name: /TRAIDER control plane/ }).click()
    await expect(page.frameLocator('[data-testid="grafana-frame"]').getByText('Grafana (contract fixture): /d/traider-control-plane')).toBeVisible()
    await expect(page.getByTestId('chart-request-rate').locator('svg polyline')).toHaveCount(1, { timeout: 30_000 })
    await screenshotBoth(page, 'observability-embedded')
  })

  // A finished deployment with a trace: its page links to its time range in Grafana and its
  // trace in Jaeger, and both open through the proxy in the browser.
  const deployment = await seedTracedDeployment(String(created.id))
  await page.goto(`/deployments/${deployment.id}`)
  const links = page.getByTestId('observability-links')
  const [grafanaTab] = await Promise.all([page.waitForEvent('popup'), links.getByRole('link', { name: 'This deployment in Grafana' }).click()])
  await expect(grafanaTab.getByText('Grafana (contract fixture): /d/traider-trading-ops')).toBeVisible()
  await expect(grafanaTab.getByText(`environment variable: ${SLUG}`)).toBeVisible()
  const window = new URL(grafana.seen.filter((s) => s.url.startsWith('/d/traider-trading-ops?') && s.url.includes('from=')).at(-1)!.url, 'http://grafana').searchParams
  expect([Number(window.get('from')), Number(window.get('to'))]).toEqual([deployment.startedAt - 5 * 60_000, deployment.finishedAt + 5 * 60_000])
  await grafanaTab.close()
  const [jaegerTab] = await Promise.all([page.waitForEvent('popup'), links.getByRole('link', { name: 'This trace in Jaeger' }).click()])
  await expect(jaegerTab.getByText(`Jaeger UI (contract fixture): /trace/${deployment.traceId}`)).toBeVisible()
  await jaegerTab.close()

  // The fixture saw the token on every dashboard request; the browser's response never had it.
  const dashboardCalls = grafana.seen.filter((s) => s.url.startsWith('/d/'))
  expect(dashboardCalls.length).toBeGreaterThan(0)
  for (const call of dashboardCalls) expect(call.authorization).toBe(`Bearer ${TOKEN}`)
  const proxied = await page.request.get(`/api/observability/grafana/${SLUG}/d/traider-trading-ops`)
  expect(proxied.status()).toBe(200)
  expect(proxied.headers()['set-cookie']).toBeUndefined()
  expect(await proxied.text()).not.toContain(TOKEN)
  // Signed out, the proxy lets nothing through.
  const anonymous = await page.context().browser()!.newContext({ baseURL: env('E2E_BASE_URL') })
  expect((await anonymous.request.get(`/api/observability/grafana/${SLUG}/d/traider-trading-ops`)).status()).toBe(401)
  await anonymous.close()
})

/** A succeeded deployment with a trace id, written straight into the e2e database (no Docker needed for links). */
async function seedTracedDeployment(environmentId: string) {
  const client = new pg.Client({ connectionString: env('E2E_DATABASE_URL') })
  await client.connect()
  try {
    const id = `obs-dep-${Date.now().toString(36)}`
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const startedAt = Date.parse('2026-11-20T10:00:00Z')
    const finishedAt = startedAt + 42_000
    await client.query(`INSERT INTO "Stack" (id, "environmentId") VALUES ($1, $2) ON CONFLICT DO NOTHING`, [`${id}-stack`, environmentId])
    await client.query(`INSERT INTO "StackVersion" (id, "stackId", version, "composeYaml") VALUES ($1, (SELECT id FROM "Stack" WHERE "environmentId" = $2), 1, 'services: {}')`, [`${id}-sv`, environmentId])
    await client.query(`INSERT INTO "Release" (id, "environmentId", number, "stackVersionId", variables, plan, "planHash") VALUES ($1, $2, 1, $3, '{}', '{"project":"traider-obs-staging","services":[]}', repeat('0', 64))`, [`${id}-rel`, environmentId, `${id}-sv`])
    await client.query(
      `INSERT INTO "Deployment" (id, "environmentId", number, "releaseId", kind, status, "requestedAt", "startedAt", "finishedAt", diff, outcome, "traceId")
       VALUES ($1, $2, 1, $3, 'DEPLOY', 'SUCCEEDED', $4, $4, $5, '[]', 'Release 1 is running.', $6)`,
      [id, environmentId, `${id}-rel`, new Date(startedAt), new Date(finishedAt), traceId],
    )
    return { id, traceId, startedAt, finishedAt }
  } finally {
    await client.end()
  }
}
