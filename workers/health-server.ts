// The worker's /healthz endpoint for container healthchecks: 200 while the probe says the
// process can do work, 503 when it cannot; /metrics when a metrics exposition is given; 404 else.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { errorFields, type Logger } from '@/server/logger'

export type HealthReport = { healthy: boolean; body: Record<string, unknown> }

export type HealthServer = {
  /** The port actually bound (useful when 0 was asked for). */
  port: number
  /** Stops accepting connections and drops idle keep-alive ones. */
  close(): Promise<void>
}

function send(res: http.ServerResponse, status: number, body: Record<string, unknown>) {
  const payload = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
  })
  res.end(payload)
}

export async function startHealthServer(options: {
  port: number
  host?: string
  probe: () => Promise<HealthReport>
  log: Logger
  /** Prometheus exposition on GET /metrics, behind the same access rule as the web app's. */
  metrics?: { expose: () => Promise<{ contentType: string; body: string }>; authorize: (request: { authorization: string | null; ip: string | null }) => { ok: true } | { ok: false; status: number; message: string } }
}): Promise<HealthServer> {
  const { probe, log, metrics } = options

  const respond = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const pathname = new URL(req.url ?? '/', 'http://health.local').pathname
    if (metrics && pathname === '/metrics' && req.method === 'GET') {
      const decision = metrics.authorize({ authorization: req.headers.authorization ?? null, ip: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? null })
      if (!decision.ok) {
        send(res, decision.status, { status: 'denied', message: decision.message })
        return
      }
      const { contentType, body } = await metrics.expose()
      res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' })
      res.end(body)
      return
    }
    if (pathname !== '/healthz' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      send(res, 404, { status: 'not-found', message: 'The worker serves only GET /healthz.' })
      return
    }
    const report = await probe()
    send(res, report.healthy ? 200 : 503, report.body)
  }

  const server = http.createServer((req, res) => {
    respond(req, res).catch((error: unknown) => {
      log.error('Health probe failed', { err: errorFields(error) })
      if (!res.headersSent) send(res, 503, { status: 'unavailable', message: 'The health probe itself failed; see the worker log.' })
      else res.destroy()
    })
  })
  // A health endpoint must answer quickly or not at all.
  server.requestTimeout = 5_000
  server.headersTimeout = 5_000

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once('error', onError)
    server.listen(options.port, options.host, () => {
      server.off('error', onError)
      resolve()
    })
  })
  server.on('error', (error) => log.error('Health server error', { err: errorFields(error) }))

  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeIdleConnections()
      }),
  }
}
