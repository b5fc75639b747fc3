// Serves a Next.js route handler (Request → Response) from a plain node http server on
// loopback, the way Next does it: the socket peer is appended to X-Forwarded-For.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

type Handler = (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response> | Response

export async function serveRoute(handler: Handler, params: (url: URL) => Record<string, string | string[]> = () => ({})) {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`)
      const headers = new Headers()
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v)
      const peer = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? ''
      headers.set('x-forwarded-for', [headers.get('x-forwarded-for'), peer].filter(Boolean).join(', '))
      const body = chunks.length && req.method !== 'GET' && req.method !== 'HEAD' ? Buffer.concat(chunks) : undefined
      Promise.resolve(handler(new Request(url, { method: req.method, headers, body }), { params: Promise.resolve(params(url)) }))
        .then(async (response) => {
          const out: Record<string, string | string[]> = {}
          response.headers.forEach((v, k) => (out[k] = v))
          const cookies = response.headers.getSetCookie()
          if (cookies.length) out['set-cookie'] = cookies
          res.writeHead(response.status, out)
          res.end(Buffer.from(await response.arrayBuffer()))
        })
        .catch((error: unknown) => {
          res.writeHead(500)
          res.end(String(error))
        })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    target: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
