// The web process's tracing, as Next.js starts it: instrumentation.ts's register() with
// OTEL_EXPORTER_OTLP_ENDPOINT set exports the portal's tRPC procedure spans, under the service
// name traider-control-web, to a local OTLP/HTTP (JSON) receiver on loopback; without the
// variable it starts nothing. Procedures run through the real router and database.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { trace } from '@opentelemetry/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resetEnvForTests } from '@/server/env'
import { callerFor, makeUser } from '@/test/factories'
import { register } from '@/instrumentation'
import { startTracing } from './tracing'

type Received = { service: string | undefined; spans: Array<{ name: string; attributes?: Array<{ key: string; value: { stringValue?: string } }> }> }

const received: Received[] = []
let receiver: http.Server
let endpoint: string
const saved = { runtime: process.env.NEXT_RUNTIME, otel: process.env.OTEL_EXPORTER_OTLP_ENDPOINT }

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: Received['spans'] }> }>
      }
      for (const rs of body.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue
        received.push({ service, spans: rs.scopeSpans.flatMap((s) => s.spans) })
      }
      res.writeHead(req.url === '/v1/traces' ? 200 : 404, { 'content-type': 'application/json' })
      res.end('{}')
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
})

afterAll(async () => {
  const handle = await startTracing({ serviceName: 'unused', endpoint })
  await handle.shutdown()
  process.env.NEXT_RUNTIME = saved.runtime
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved.otel
  if (saved.otel === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT
  if (saved.runtime === undefined) delete process.env.NEXT_RUNTIME
  resetEnvForTests()
  await new Promise<void>((resolve) => receiver.close(() => resolve()))
})

describe('instrumentation.ts register()', () => {
  it('starts nothing without OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    process.env.NEXT_RUNTIME = 'nodejs'
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT
    resetEnvForTests()
    await register()
    // No SDK provider was registered: the API hands out non-recording spans.
    const span = trace.getTracer('probe').startSpan('probe')
    expect(span.isRecording()).toBe(false)
    span.end()
  })

  it('exports the portal\'s procedure spans as traider-control-web', async () => {
    process.env.NEXT_RUNTIME = 'nodejs'
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint
    resetEnvForTests()
    await register()
    const viewer = await makeUser('VIEWER')
    await callerFor(viewer).environment.list()
    const handle = await startTracing({ serviceName: 'unused', endpoint }) // the same handle register() started
    await handle.flush()
    const web = received.filter((r) => r.service === 'traider-control-web').flatMap((r) => r.spans)
    const procedure = web.find((s) => s.name === 'trpc environment.list')
    expect(procedure).toBeDefined()
    expect(procedure!.attributes).toEqual(expect.arrayContaining([{ key: 'rpc.system', value: { stringValue: 'trpc' } }, { key: 'rpc.method', value: { stringValue: 'environment.list' } }]))
  })
})
