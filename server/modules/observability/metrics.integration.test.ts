// /api/metrics (the web route handler, served from a node http server) and the worker's
// /metrics (its real health server) against real Postgres and Redis: the expositions pass
// `promtool check metrics`, access needs the token, and a real Prometheus (Debian's, on
// loopback) scrapes both and answers PromQL over the series.
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { resetEnvForTests } from '@/server/env'
import { closeQueues } from '@/server/infra/queues'
import { closeRedis } from '@/server/infra/redis'
import { logger } from '@/server/logger'
import { audit, SYSTEM_ACTOR } from '@/server/modules/audit/audit'
import { eventually, startPrometheus, type TestPrometheus } from '@/test/prometheus'
import { serveRoute } from '@/test/serve-route'
import { unique } from '@/test/factories'
import { startHealthServer, type HealthServer } from '@/workers/health-server'
import { controlMetrics, recordDeploymentFinished } from './metrics'
import { metricsAccess } from './metrics-access'

const TOKEN = 'metrics-test-token-0123456789'
let web: Awaited<ReturnType<typeof serveRoute>>
let worker: HealthServer
let prometheus: TestPrometheus | undefined
let slug: string

function promtool(exposition: string) {
  return spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8', timeout: 20_000 })
}

beforeAll(async () => {
  process.env.METRICS_TOKEN = TOKEN
  resetEnvForTests()
  slug = unique('metrics')
  await db().environment.create({ data: { name: slug, slug, tier: 'STAGING', dockerEndpoint: 'unix:///var/run/docker.sock' } })
  await audit(db(), SYSTEM_ACTOR, { action: 'audit.verify', summary: { checked: 3 } })
  const { GET } = await import('@/app/api/metrics/route')
  web = await serveRoute(GET)
  // The worker's process shares this test's registry: its deployment counters appear too.
  const metrics = controlMetrics('worker')
  worker = await startHealthServer({
    port: 0,
    host: '127.0.0.1',
    log: logger,
    probe: async () => ({ healthy: true, body: { status: 'ok' } }),
    metrics: { authorize: metricsAccess({ token: TOKEN, allowedCidrs: [] }), expose: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }) },
  })
  recordDeploymentFinished({ environment: slug, kind: 'DEPLOY', status: 'ROLLED_BACK', startedAt: new Date(Date.now() - 42_000), finishedAt: new Date() })
})

afterAll(async () => {
  await prometheus?.stop()
  await web?.close()
  await worker?.close()
  delete process.env.METRICS_TOKEN
  resetEnvForTests()
  await closeQueues()
  await closeRedis()
  await disconnectDb()
})

describe('metrics endpoints', () => {
  it('refuse a scrape without the bearer token, and with a wrong one', async () => {
    expect((await fetch(`${web.url}/api/metrics`)).status).toBe(401)
    const wrong = await fetch(`${web.url}/api/metrics`, { headers: { authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
    expect(await wrong.text()).not.toContain(TOKEN)
    expect((await fetch(`http://127.0.0.1:${worker.port}/metrics`)).status).toBe(401)
  })

  it('expose the control plane series, and promtool accepts both expositions', async () => {
    const auth = { headers: { authorization: `Bearer ${TOKEN}` } }
    const webText = await (await fetch(`${web.url}/api/metrics`, auth)).text()
    expect(webText).toContain('traider_control_pending_approvals')
    expect(webText).toMatch(/traider_control_queue_jobs\{queue="deployment",state="waiting",process="\w+"\} \d+/)
    expect(webText).toMatch(/traider_control_audit_chain_ok\{process="\w+"\} 1/)
    expect(webText).toContain(`traider_control_backup_failures{environment="${slug}"`)
    expect(webText).toContain('process_resident_memory_bytes')
    const workerText = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`, auth)).text()
    expect(workerText).toContain(`traider_control_rollbacks_total{environment="${slug}",kind="automatic"`)
    expect(workerText).toContain(`traider_control_deployment_duration_seconds_bucket{le="60",process="worker",environment="${slug}",result="rolled_back"} 1`)
    for (const text of [webText, workerText]) {
      const result = promtool(text)
      expect(result.status, result.stdout + result.stderr).toBe(0)
    }
  })

  it('a real Prometheus scrapes both and answers PromQL over their series', async () => {
    prometheus = await startPrometheus([
      { job: 'control-plane-web', target: web.target, metricsPath: '/api/metrics', bearerToken: TOKEN },
      { job: 'control-plane-worker', target: `127.0.0.1:${worker.port}`, bearerToken: TOKEN },
    ])
    const up = await eventually(async () => {
      const r = await prometheus!.query('up')
      return r.length === 2 && r.every((s) => s.value[1] === '1') ? r : undefined
    }, 20_000, 'both targets up')
    expect(up.map((s) => s.metric.job).sort()).toEqual(['control-plane-web', 'control-plane-worker'])
    const rollbacks = await eventually(() => prometheus!.query(`traider_control_rollbacks_total{environment="${slug}",kind="automatic"}`).then((r) => (r.length ? r : undefined)))
    expect(rollbacks[0].value[1]).toBe('1')
    const requests = await eventually(() => prometheus!.query('sum by (route, status) (traider_control_http_requests_total{job="control-plane-web",route="/api/metrics"})').then((r) => (r.length ? r : undefined)))
    expect(requests.some((s) => s.metric.status === '200')).toBe(true)
    const queue = await eventually(() => prometheus!.query('traider_control_queue_jobs{queue="deployment",state="failed"}').then((r) => (r.length ? r : undefined)))
    expect(queue.map((s) => s.metric.job)).toContain('control-plane-web')
  })
})
