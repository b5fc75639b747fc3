// The worker's health endpoint on a 127.0.0.1 port with a fake probe: the 200 / 503 / 404
// answers the container healthcheck relies on, including a probe that throws.
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger, type LogLevel } from '@/server/logger'
import { startHealthServer, type HealthReport, type HealthServer } from './health-server'

const lines: Array<{ level: LogLevel; line: string }> = []
const log = createLogger({ level: () => 'debug', sink: (level, line) => lines.push({ level, line }) })

let server: HealthServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
  lines.length = 0
})

async function serve(probe: () => Promise<HealthReport>) {
  server = await startHealthServer({ port: 0, host: '127.0.0.1', probe, log })
  return (path: string, method = 'GET') =>
    fetch(`http://127.0.0.1:${server?.port}${path}`, { method, signal: AbortSignal.timeout(5_000) })
}

describe('startHealthServer', () => {
  it('answers 200 with the report when healthy', async () => {
    const get = await serve(async () => ({ healthy: true, body: { status: 'ok', worker: 'running' } }))
    const res = await get('/healthz')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(await res.json()).toEqual({ status: 'ok', worker: 'running' })
  })

  it('answers 503 when the probe says unhealthy', async () => {
    const get = await serve(async () => ({ healthy: false, body: { status: 'unavailable', worker: 'running', redis: 'unreachable' } }))
    const res = await get('/healthz')
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({ status: 'unavailable', worker: 'running', redis: 'unreachable' })
  })

  it('answers 503 and logs when the probe itself throws', async () => {
    const get = await serve(async () => {
      throw new Error('probe exploded')
    })
    const res = await get('/healthz')
    expect(res.status).toBe(503)
    expect(lines.some((l) => l.level === 'error' && l.line.includes('probe exploded'))).toBe(true)
  })

  it('answers 404 for any other path or method', async () => {
    const get = await serve(async () => ({ healthy: true, body: { status: 'ok' } }))
    expect((await get('/')).status).toBe(404)
    expect((await get('/healthz/extra')).status).toBe(404)
    expect((await get('/healthz', 'POST')).status).toBe(404)
    expect((await get('/healthz?verbose=1')).status).toBe(200)
  })

  it('stops listening on close', async () => {
    const get = await serve(async () => ({ healthy: true, body: { status: 'ok' } }))
    await server?.close()
    server = undefined
    await expect(get('/healthz')).rejects.toThrow()
  })

  it('refuses to start on a port that is taken', async () => {
    await serve(async () => ({ healthy: true, body: {} }))
    await expect(startHealthServer({ port: server!.port, host: '127.0.0.1', probe: async () => ({ healthy: true, body: {} }), log })).rejects.toThrow(/EADDRINUSE/)
  })
})
