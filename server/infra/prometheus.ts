// Prometheus's HTTP API (/api/v1/query, /api/v1/query_range): the only code that talks to an
// environment's Prometheus. Errors come back in words naming the URL and what to check.
import { z } from 'zod'

export class PrometheusError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PrometheusError'
  }
}

export type PromSeries = { labels: Record<string, string>; points: Array<[number, number]> }
export type PromSample = { labels: Record<string, string>; value: number }

const value = z.tuple([z.number(), z.string()])
const answer = z.object({
  status: z.enum(['success', 'error']),
  error: z.string().optional(),
  data: z
    .object({
      resultType: z.enum(['matrix', 'vector', 'scalar', 'string']),
      result: z.unknown(),
    })
    .optional(),
})
const vector = z.array(z.object({ metric: z.record(z.string(), z.string()), value }))
const matrix = z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(value) }))

async function call(baseUrl: string, path: string, params: Record<string, string>, timeoutMs: number) {
  const url = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    throw new PrometheusError(`Prometheus at ${baseUrl} did not answer (${(error as Error).message}): check the environment's Prometheus URL and that it is running.`)
  }
  const body = answer.safeParse(await response.json().catch(() => null))
  if (!body.success) throw new PrometheusError(`Prometheus at ${baseUrl} answered ${response.status} with something that is not its API: check the URL (it should be the server's root, e.g. http://prometheus:9090).`)
  if (body.data.status === 'error' || !body.data.data) throw new PrometheusError(`Prometheus rejected the query: ${body.data.error ?? `HTTP ${response.status}`}`)
  return body.data.data
}

const num = (v: string) => (v === 'NaN' ? Number.NaN : Number(v))

/** An instant query; a scalar comes back as one sample without labels. */
export async function promQuery(baseUrl: string, query: string, { time, timeoutMs = 5_000 }: { time?: Date; timeoutMs?: number } = {}): Promise<PromSample[]> {
  const data = await call(baseUrl, 'api/v1/query', { query, ...(time && { time: String(time.getTime() / 1000) }) }, timeoutMs)
  if (data.resultType === 'scalar') return [{ labels: {}, value: num(value.parse(data.result)[1]) }]
  if (data.resultType !== 'vector') throw new PrometheusError(`The query returned a ${data.resultType}, not an instant vector or scalar: wrap it, e.g. in sum(...).`)
  return vector.parse(data.result).map((r) => ({ labels: r.metric, value: num(r.value[1]) }))
}

export async function promQueryRange(baseUrl: string, query: string, range: { start: Date; end: Date; stepSeconds: number }, { timeoutMs = 10_000 } = {}): Promise<PromSeries[]> {
  const data = await call(baseUrl, 'api/v1/query_range', { query, start: String(range.start.getTime() / 1000), end: String(range.end.getTime() / 1000), step: String(range.stepSeconds) }, timeoutMs)
  if (data.resultType !== 'matrix') throw new PrometheusError(`A range query returned a ${data.resultType}: expected a matrix.`)
  return matrix.parse(data.result).map((r) => ({ labels: r.metric, points: r.values.map(([t, v]) => [t, num(v)] as [number, number]) }))
}
