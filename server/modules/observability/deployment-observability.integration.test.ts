// A real deployment on the real Docker engine, observed: (1) with tracing on, its span tree
// as received by a local OTLP/HTTP (JSON) receiver on loopback — request → deployment → steps
// → Docker calls — and the trace id on the row; the traceparent travels in the BullMQ job;
// (2) PromQL gates evaluated by a real Prometheus (Debian's, loopback) scraping an exporter the
// test controls: a passing gate lets v1 through, a failing one rolls v2 back and the record
// shows the query and the value.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { dockerStackRuntime } from '@/server/infra/docker-stack-runtime'
import { bullJobQueue, bullPrefix, closeQueues, QUEUE_NAMES } from '@/server/infra/queues'
import { closeRedis, createBullConnection } from '@/server/infra/redis'
import { requestDeployment } from '@/server/modules/deployment/deployment.service'
import { engineDeps, makeDeployEnvironment, removeProject, serving, TEST_ACTOR, webStack } from '@/test/deploy-harness'
import { ensureFixtureImages } from '@/test/docker-fixtures'
import { recordingQueue } from '@/test/factories'
import { eventually, startFixtureExporter, startPrometheus, type TestPrometheus } from '@/test/prometheus'
import { prometheusGateCheck } from './gates'
import { deploymentObservabilityLinks, queryChart } from './observability.service'
import { runObservedDeployment, type DeploymentAnnotation } from './observed-deployment'
import { currentTraceparent, inSpan, startTracing, type TracingHandle } from './tracing'

type OtlpSpan = { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: Array<{ key: string; value: Record<string, unknown> }> }

const projects: string[] = []
const received: OtlpSpan[] = []
let receiver: http.Server
let tracing: TracingHandle

beforeAll(async () => {
  await ensureFixtureImages()
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      expect(req.url).toBe('/v1/traces')
      expect(req.headers['content-type']).toContain('application/json')
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }
      for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) received.push(...ss.spans)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{}')
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  tracing = await startTracing({ serviceName: 'traider-control-test', endpoint: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`, batch: false })
}, 120_000)

afterAll(async () => {
  for (const p of projects) await removeProject(p)
  await tracing?.shutdown()
  await new Promise<void>((resolve) => receiver.close(() => resolve()))
  await closeQueues()
  await closeRedis()
  await disconnectDb()
})

async function environment() {
  const made = await makeDeployEnvironment((p) => webStack(p))
  projects.push(made.project)
  return made
}

const request = (environmentId: string, tag: string) =>
  requestDeployment({ db: db(), runtime: dockerStackRuntime, queue: recordingQueue() }, TEST_ACTOR, { environmentId, variables: { WEB_TAG: tag }, bakeSeconds: 1 })

describe('a deployment is one trace', () => {
  it('request → deployment → engine steps → Docker calls, trace id on the row, traceparent in the job', async () => {
    const env = await environment()
    const annotations: DeploymentAnnotation[] = []
    // The portal's request: the deployment is requested and queued inside its span.
    const { created, traceparent, jobTraceparent } = await inSpan('POST /api/trpc/deployment.request', {}, async () => {
      const created = await request(env.environment.id, 'v1')
      // The real queue adds the active trace context to the job's payload.
      await bullJobQueue.enqueueDeployment(created.id)
      const connection = createBullConnection('queue')
      const queue = new Queue(QUEUE_NAMES.deployment, { connection, prefix: bullPrefix() })
      const job = await queue.getJob(created.id)
      await job?.remove()
      await queue.close()
      await connection.quit()
      return { created, traceparent: currentTraceparent(), jobTraceparent: (job?.data as { traceparent?: string }).traceparent }
    })
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    expect(jobTraceparent).toBe(traceparent)

    const status = await runObservedDeployment(engineDeps, created.id, { traceparent: jobTraceparent, annotate: async (a) => void annotations.push(a) })
    expect(status).toBe('SUCCEEDED')
    await tracing.flush()

    const row = await db().deployment.findUniqueOrThrow({ where: { id: created.id } })
    const [, traceId, requestSpanId] = traceparent!.split('-')
    expect(row.traceId).toBe(traceId)
    const spans = received.filter((s) => s.traceId === traceId)
    const byName = (name: string) => spans.filter((s) => s.name === name)
    const root = byName(`deployment ${env.environment.slug} #${created.number}`)
    expect(root).toHaveLength(1)
    expect(root[0].parentSpanId).toBe(requestSpanId)
    for (const step of ['preflight', 'backup', 'rollout', 'verify']) {
      const [span] = byName(`step ${step}`)
      expect(span, `step ${step}`).toBeDefined()
      expect(span.parentSpanId).toBe(root[0].spanId)
    }
    const rollout = byName('step rollout')[0]
    const create = byName('docker createServiceContainer')
    expect(create).toHaveLength(1)
    expect(create[0].parentSpanId).toBe(rollout.spanId)
    expect(byName('docker waitForHealthy')[0].parentSpanId).toBe(rollout.spanId)
    expect(byName('docker resolveImage')[0].parentSpanId).toBe(byName('step preflight')[0].spanId)
    expect(annotations.map((a) => [a.phase, a.status])).toEqual([['start', 'started'], ['end', 'succeeded']])
    expect(annotations[1].traceId).toBe(traceId)

    // The deployment page's links: Grafana over its time range with the environment set, Jaeger at its trace.
    await db().environmentObservability.create({ data: { environmentId: env.environment.id, grafanaUrl: 'http://grafana.invalid', jaegerUrl: 'http://jaeger.invalid' } })
    const links = await deploymentObservabilityLinks({ db: db() }, created.id)
    expect(links.jaeger).toBe(`/api/observability/jaeger/${env.environment.slug}/trace/${traceId}`)
    const grafana = new URL(links.grafana!, 'http://portal')
    expect(grafana.pathname).toBe(`/api/observability/grafana/${env.environment.slug}/d/traider-trading-ops`)
    expect(grafana.searchParams.get('var-environment')).toBe(env.environment.slug)
    expect(Number(grafana.searchParams.get('from'))).toBe(row.startedAt!.getTime() - 5 * 60_000)
    expect(Number(grafana.searchParams.get('to'))).toBe(row.finishedAt!.getTime() + 5 * 60_000)
  })
})

describe('PromQL deployment gates', () => {
  let prometheus: TestPrometheus
  let exporter: Awaited<ReturnType<typeof startFixtureExporter>>
  beforeAll(async () => {
    exporter = await startFixtureExporter({ fixture_error_ratio: 0.001 })
    prometheus = await startPrometheus([{ job: 'trading-backend', target: exporter.target }])
  })
  afterAll(async () => {
    await prometheus?.stop()
    await exporter?.close()
  })

  const seen = (value: string) => eventually(() => prometheus.query('max(fixture_error_ratio)').then((r) => r[0]?.value[1] === value), 20_000, `Prometheus sees ${value}`)

  it('a passing gate lets v1 through; a failing gate rolls v2 back, and the record shows query and value', async () => {
    const env = await environment()
    const query = 'max(fixture_error_ratio)'
    await db().environmentObservability.create({
      data: { environmentId: env.environment.id, prometheusUrl: prometheus.url, gates: [{ name: 'error rate', query, comparator: '<', threshold: 0.01 }] },
    })
    const deps = { ...engineDeps, gates: prometheusGateCheck(db()) }
    await seen('0.001')

    const first = await request(env.environment.id, 'v1')
    expect(await runObservedDeployment(deps, first.id)).toBe('SUCCEEDED')
    const firstLogs = await db().deploymentLog.findMany({ where: { deploymentId: first.id, step: 'verify' } })
    expect(firstLogs.map((l) => l.message)).toContain(`✓ gate error rate: \`${query}\` = 0.001 (must be < 0.01)`)

    exporter.set('fixture_error_ratio', 0.05)
    await seen('0.05')
    const second = await request(env.environment.id, 'v2')
    expect(await runObservedDeployment(deps, second.id)).toBe('ROLLED_BACK')
    const row = await db().deployment.findUniqueOrThrow({ where: { id: second.id }, include: { steps: true } })
    expect(row.outcome).toContain(`deployment gate failed: error rate: \`${query}\` = 0.05 (must be < 0.01)`)
    expect(row.steps.find((s) => s.name === 'verify')?.status).toBe('FAILED')
    expect(await serving(env.url)).toBe('traider fixture v1')
  })

  it('charts: the server runs the PromQL range query and the newest sample is in it', async () => {
    const env = await environment()
    await db().environmentObservability.create({ data: { environmentId: env.environment.id, prometheusUrl: prometheus.url } })
    exporter.set('traider_database_connections', 12)
    await eventually(() => prometheus.query('sum(traider_database_connections)').then((r) => r[0]?.value[1] === '12'), 20_000, 'Prometheus sees 12')
    const chart = await queryChart({ db: db() }, { environmentId: env.environment.id, chart: 'database-connections', minutes: 60 })
    expect(chart).toMatchObject({ configured: true, error: null, unit: 'count', query: 'sum(traider_database_connections)' })
    expect(chart.series).toHaveLength(1)
    const last = chart.series[0].points.at(-1)!
    expect(last[1]).toBe(12)
    expect(last[0] * 1000).toBeGreaterThanOrEqual(Date.now() - 1_000)
  })
})
