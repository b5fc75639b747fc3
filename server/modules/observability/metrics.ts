// The control plane's Prometheus registry (one per process): default process metrics plus the
// `traider_control_*` request and deployment metrics. Web and worker are separate processes;
// gauges that mirror Postgres/Redis state are registered by metrics-state.ts (web only).
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'

export const METRIC_PREFIX = 'traider_control_'

const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
// A deployment takes seconds to many minutes (bake windows are minutes long in production).
const DEPLOYMENT_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600]

function build(processName: string) {
  const registry = new Registry()
  registry.setDefaultLabels({ process: processName })
  collectDefaultMetrics({ register: registry })
  // prom-client names these three gauges *_total, which `promtool check metrics` rejects
  // (only counters may end in _total); they add little next to the handle/heap metrics.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name)
  return {
    registry,
    httpRequests: new Counter({
      name: `${METRIC_PREFIX}http_requests_total`,
      help: 'HTTP requests served by the control plane, by route, method and status.',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: `${METRIC_PREFIX}http_request_duration_seconds`,
      help: 'HTTP request duration in seconds, by route, method and status.',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: REQUEST_BUCKETS,
      registers: [registry],
    }),
    trpcRequests: new Counter({
      name: `${METRIC_PREFIX}trpc_requests_total`,
      help: 'tRPC procedure calls, by procedure, type and result code (OK, FORBIDDEN, …).',
      labelNames: ['procedure', 'type', 'code'] as const,
      registers: [registry],
    }),
    trpcDuration: new Histogram({
      name: `${METRIC_PREFIX}trpc_request_duration_seconds`,
      help: 'tRPC procedure duration in seconds, by procedure, type and result code.',
      labelNames: ['procedure', 'type', 'code'] as const,
      buckets: REQUEST_BUCKETS,
      registers: [registry],
    }),
    deployments: new Counter({
      name: `${METRIC_PREFIX}deployments_total`,
      help: 'Deployments the engine finished in this worker, by environment slug, kind and result.',
      labelNames: ['environment', 'kind', 'result'] as const,
      registers: [registry],
    }),
    deploymentDuration: new Histogram({
      name: `${METRIC_PREFIX}deployment_duration_seconds`,
      help: 'Deployment duration (engine start to finish) in seconds, by environment slug and result.',
      labelNames: ['environment', 'result'] as const,
      buckets: DEPLOYMENT_BUCKETS,
      registers: [registry],
    }),
    rollbacks: new Counter({
      name: `${METRIC_PREFIX}rollbacks_total`,
      help: 'Rollbacks carried out, by kind: automatic (a failed deployment), manual, emergency.',
      labelNames: ['environment', 'kind'] as const,
      registers: [registry],
    }),
    jobs: new Counter({
      name: `${METRIC_PREFIX}jobs_total`,
      help: 'Queue jobs processed by this worker, by queue and result (completed, failed).',
      labelNames: ['queue', 'result'] as const,
      registers: [registry],
    }),
  }
}

export type ControlMetrics = ReturnType<typeof build>

const globalForMetrics = globalThis as unknown as { traiderMetrics?: ControlMetrics }

/** The process's metrics; the first call names the process ("web" or "worker"). */
export function controlMetrics(processName = 'web'): ControlMetrics {
  globalForMetrics.traiderMetrics ??= build(processName)
  return globalForMetrics.traiderMetrics
}

/** Times `work` and records it under `route` (a fixed route pattern, never a raw URL). */
export async function withHttpMetrics(route: string, request: Request, work: () => Promise<Response>): Promise<Response> {
  const m = controlMetrics()
  const started = performance.now()
  let status = 500
  try {
    const response = await work()
    status = response.status
    return response
  } finally {
    const labels = { route, method: request.method, status: String(status) }
    m.httpRequests.inc(labels)
    m.httpDuration.observe(labels, (performance.now() - started) / 1000)
  }
}

type FinishedDeployment = {
  environment: string
  kind: 'DEPLOY' | 'ROLLBACK' | 'EMERGENCY_ROLLBACK'
  status: string
  startedAt: Date | null
  finishedAt: Date | null
}

const TERMINAL = new Set(['SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'CANCELLED', 'REJECTED'])

/** Called by the worker when the engine returns: counts the result, its duration and any rollback. */
export function recordDeploymentFinished(d: FinishedDeployment) {
  if (!TERMINAL.has(d.status)) return
  const m = controlMetrics()
  const result = d.status.toLowerCase()
  m.deployments.inc({ environment: d.environment, kind: d.kind.toLowerCase(), result })
  if (d.startedAt && d.finishedAt) {
    m.deploymentDuration.observe({ environment: d.environment, result }, Math.max(0, (d.finishedAt.getTime() - d.startedAt.getTime()) / 1000))
  }
  if (d.kind === 'DEPLOY' && d.status === 'ROLLED_BACK') m.rollbacks.inc({ environment: d.environment, kind: 'automatic' })
  if (d.kind === 'ROLLBACK' && d.status === 'SUCCEEDED') m.rollbacks.inc({ environment: d.environment, kind: 'manual' })
  if (d.kind === 'EMERGENCY_ROLLBACK' && d.status === 'SUCCEEDED') m.rollbacks.inc({ environment: d.environment, kind: 'emergency' })
}
