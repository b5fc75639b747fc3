// Runs the deploy engine for one job with everything an operator watches from outside: one
// trace per deployment (engine steps as spans, Docker calls as their children, continuing the
// request's trace from the job's traceparent, trace id stored on the row), the deployment
// metrics, and start/end annotations in the environment's Grafana.
import { context, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api'
import type { StackRuntime } from '@/server/infra/ports'
import type { EngineDeps, StepObserver } from '@/server/modules/deployment/engine-context'
import { runDeployment } from '@/server/modules/deployment/run-deployment'
import { errorFields, type Logger } from '@/server/logger'
import { recordDeploymentFinished } from './metrics'
import { contextFromTraceparent, inSpan, tracer } from './tracing'

export type DeploymentAnnotation = {
  phase: 'start' | 'end'
  deploymentId: string
  environmentId: string
  environment: string
  number: number
  kind: string
  status: string
  at: Date
  traceId: string | null
}
export type DeploymentAnnotator = (annotation: DeploymentAnnotation) => Promise<void>

/** Spans for the engine's steps, children of the deployment span; Docker calls nest under the open step. */
function stepSpans(root: Context): StepObserver & { active(): Context; endAll(): void } {
  const open = new Map<string, Span>()
  let current: Span | undefined
  return {
    stepStarted(name) {
      open.get(name)?.end()
      current = tracer().startSpan(`step ${name}`, { attributes: { 'deployment.step': name } }, root)
      open.set(name, current)
    },
    stepEnded(name, status) {
      const span = open.get(name) ?? tracer().startSpan(`step ${name}`, { attributes: { 'deployment.step': name } }, root)
      span.setAttribute('deployment.step.status', status)
      if (status === 'FAILED') span.setStatus({ code: SpanStatusCode.ERROR, message: `${name} failed` })
      span.end()
      open.delete(name)
      if (current === span) current = undefined
    },
    active: () => (current ? trace.setSpan(root, current) : root),
    endAll() {
      for (const span of open.values()) span.end()
      open.clear()
    },
  }
}

/** Every StackRuntime call becomes a `docker <method>` span under whatever `parent()` says. */
export function tracedRuntime(runtime: StackRuntime, parent: () => Context): StackRuntime {
  return new Proxy(runtime, {
    get(target, property, receiver) {
      const original = Reflect.get(target, property, receiver) as unknown
      if (typeof original !== 'function' || typeof property !== 'string') return original
      return (...args: unknown[]) => inSpan(`docker ${property}`, { 'docker.operation': property }, () => (original as (...a: unknown[]) => Promise<unknown>).apply(target, args), parent())
    },
  })
}

export async function runObservedDeployment(
  deps: EngineDeps,
  deploymentId: string,
  options: { traceparent?: string; annotate?: DeploymentAnnotator; log?: Logger } = {},
) {
  const row = await deps.db.deployment.findUnique({ where: { id: deploymentId }, select: { number: true, kind: true, status: true, environmentId: true, traceId: true, environment: { select: { slug: true } } } })
  if (!row) return runDeployment(deps, deploymentId)
  const attributes = { 'deployment.id': deploymentId, 'deployment.number': row.number, 'deployment.kind': row.kind, 'environment.slug': row.environment.slug }
  const annotate = async (annotation: Omit<DeploymentAnnotation, 'deploymentId' | 'environmentId' | 'environment' | 'number' | 'kind'>) => {
    if (!options.annotate) return
    // Best effort: Grafana being down must not fail a deployment.
    await options
      .annotate({ deploymentId, environmentId: row.environmentId, environment: row.environment.slug, number: row.number, kind: row.kind, ...annotation })
      .catch((error: unknown) => options.log?.warn('Could not post the Grafana annotation', { deploymentId, err: errorFields(error, { stack: false }) }))
  }

  return inSpan(
    `deployment ${row.environment.slug} #${row.number}`,
    attributes,
    async (span) => {
      const traceId = span.isRecording() ? span.spanContext().traceId : null
      if (traceId && !row.traceId) await deps.db.deployment.update({ where: { id: deploymentId }, data: { traceId } })
      const fresh = row.status === 'QUEUED'
      if (fresh) await annotate({ phase: 'start', status: 'started', at: new Date(), traceId: traceId ?? row.traceId })

      const steps = stepSpans(context.active())
      const observed: EngineDeps = { ...deps, runtime: span.isRecording() ? tracedRuntime(deps.runtime, steps.active) : deps.runtime, stepObserver: steps }
      let status
      try {
        status = await runDeployment(observed, deploymentId)
      } finally {
        steps.endAll()
      }
      const done = await deps.db.deployment.findUnique({ where: { id: deploymentId }, select: { status: true, kind: true, startedAt: true, finishedAt: true } })
      if (done) {
        span.setAttribute('deployment.status', done.status)
        if (['FAILED', 'ROLLED_BACK'].includes(done.status)) span.setStatus({ code: SpanStatusCode.ERROR, message: done.status })
        recordDeploymentFinished({ environment: row.environment.slug, kind: done.kind, status: done.status, startedAt: done.startedAt, finishedAt: done.finishedAt })
        if (done.finishedAt) await annotate({ phase: 'end', status: done.status.toLowerCase(), at: done.finishedAt, traceId: traceId ?? row.traceId })
      }
      return status
    },
    contextFromTraceparent(options.traceparent),
  )
}
