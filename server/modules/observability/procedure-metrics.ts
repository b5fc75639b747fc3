// tRPC calls as metrics (count and duration by procedure, type and result code) and, with
// tracing on, as spans: a deployment requested from the portal continues the request's trace.
import { controlMetrics } from './metrics'
import { inSpan } from './tracing'

type ProcedureResult = { ok: true } | { ok: false; error: { code: string } }

export async function observeProcedure<R extends ProcedureResult>(call: { path: string; type: string }, next: () => Promise<R>): Promise<R> {
  const started = performance.now()
  let code = 'INTERNAL_SERVER_ERROR'
  try {
    const result = await inSpan(`trpc ${call.path}`, { 'rpc.system': 'trpc', 'rpc.method': call.path, 'trpc.type': call.type }, async () => next())
    code = result.ok ? 'OK' : result.error.code
    return result
  } finally {
    const m = controlMetrics()
    const labels = { procedure: call.path, type: call.type, code }
    m.trpcRequests.inc(labels)
    m.trpcDuration.observe(labels, (performance.now() - started) / 1000)
  }
}
