// Contract fixtures: Grafana and Jaeger cannot run here, so local HTTP servers on 127.0.0.1 answer as their documented HTTP APIs do (Grafana /api/search, /api/annotations, bearer service-account auth; Jaeger's UI/API paths).
// Checks the reverse proxy (signed-in + permission, token injected server-side, never returned,
// cookies stripped, read-only), the dashboard listing and the deployment annotations.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SessionUser } from '@/server/auth/session'
import { db, disconnectDb } from '@/server/db'
import { unique } from '@/test/factories'
import { grafanaDeploymentAnnotator } from './grafana-annotations'
import { listGrafanaDashboards } from './observability.service'
import { proxyObservability } from './reverse-proxy'

const TOKEN = 'glsa_fixtureServiceAccountToken_0123456789'
type Seen = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }

async function fixture(name: 'grafana' | 'jaeger') {
  const seen: Seen[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() })
      const url = new URL(req.url ?? '/', 'http://fixture')
      if (name === 'jaeger') {
        res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'jaeger=1' })
        res.end(`<html><title>Jaeger UI</title><body>search ${url.search}</body></html>`)
        return
      }
      // Grafana: every API call needs the service-account token (401 otherwise, as Grafana answers).
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401, { 'content-type': 'application/json' })
        res.end('{"message":"Unauthorized"}')
        return
      }
      if (url.pathname === '/api/search') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify([{ id: 1, uid: 'trading-ops', title: 'Trading operations', url: '/d/trading-ops/trading-operations', type: 'dash-db', folderTitle: 'TRAIDER', tags: [] }]))
      } else if (url.pathname === '/api/annotations' && req.method === 'POST') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{"message":"Annotation added","id":7}')
      } else if (url.pathname === '/login') {
        res.writeHead(302, { location: `http://${req.headers.host}/d/trading-ops` })
        res.end()
      } else {
        // A dashboard page that (badly) echoes the auth header and sets its own session cookie.
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': 'grafana_session=abc; Path=/; HttpOnly', 'x-frame-options': 'deny' })
        res.end(`<html><body>dashboard ${url.pathname} auth=${req.headers.authorization}</body></html>`)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise<void>((r) => server.close(() => r())) }
}

let grafana: Awaited<ReturnType<typeof fixture>>
let jaeger: Awaited<ReturnType<typeof fixture>>
let environmentId: string
let slug: string
const credentials = async (_env: string, name: string) => (name === 'grafana-service-account-token' ? TOKEN : null)
const viewer: SessionUser = { id: 'u1', email: 'viewer@example.test', name: 'V', role: 'VIEWER', mustChangePassword: false } as SessionUser
const deps = (user: SessionUser | null) => ({ db: db(), credentials, currentUser: async () => user })
const browser = (path: string, init: RequestInit = {}) =>
  new Request(`http://portal.test${path}`, { ...init, headers: { cookie: 'next-auth.session-token=secret-session', authorization: 'Bearer browser-should-not-pass', accept: 'text/html', ...(init.headers as Record<string, string>) } })

beforeAll(async () => {
  grafana = await fixture('grafana')
  jaeger = await fixture('jaeger')
  slug = unique('obs')
  const env = await db().environment.create({ data: { name: slug, slug, tier: 'STAGING', dockerEndpoint: 'unix:///var/run/docker.sock' } })
  environmentId = env.id
  await db().environmentObservability.create({ data: { environmentId, grafanaUrl: grafana.url, jaegerUrl: jaeger.url } })
})
afterAll(async () => {
  await grafana?.close()
  await jaeger?.close()
  await disconnectDb()
})

describe('reverse proxy', () => {
  it('adds the Grafana token server-side, forwards no browser cookie or auth, and returns no token or cookie', async () => {
    const response = await proxyObservability(deps(viewer), browser(`/api/observability/grafana/${slug}/d/trading-ops?var-env=${slug}&kiosk`), 'grafana', slug, ['d', 'trading-ops'])
    expect(response.status).toBe(200)
    const upstream = grafana.seen.at(-1)!
    expect(upstream.url).toBe(`/d/trading-ops?var-env=${slug}&kiosk`)
    expect(upstream.headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect(upstream.headers.cookie).toBeUndefined()
    const body = await response.text()
    expect(body).toContain('dashboard /d/trading-ops')
    expect(body).not.toContain(TOKEN)
    expect(response.headers.get('set-cookie')).toBeNull()
    expect([...response.headers.values()].join(' ')).not.toContain(TOKEN)
    expect(response.headers.get('content-security-policy')).toBe("frame-ancestors 'self'")
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN')
  })

  it('rewrites upstream redirects under the proxy prefix', async () => {
    const response = await proxyObservability(deps(viewer), browser('/x'), 'grafana', slug, ['login'])
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe(`/api/observability/grafana/${slug}/d/trading-ops`)
  })

  it('Jaeger search passes through without any credentials', async () => {
    const response = await proxyObservability(deps(viewer), browser('/x?service=traider-control-worker'), 'jaeger', slug, ['search'])
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('Jaeger UI')
    const upstream = jaeger.seen.at(-1)!
    expect(upstream.url).toBe('/search?service=traider-control-worker')
    expect(upstream.headers.authorization).toBeUndefined()
    expect(upstream.headers.cookie).toBeUndefined()
    expect(response.headers.get('set-cookie')).toBeNull()
  })

  it('refuses signed-out people, people who must change their password, and writes', async () => {
    const before = grafana.seen.length
    expect((await proxyObservability(deps(null), browser('/x'), 'grafana', slug, ['d', 'x'])).status).toBe(401)
    expect((await proxyObservability(deps({ ...viewer, mustChangePassword: true }), browser('/x'), 'grafana', slug, ['d', 'x'])).status).toBe(403)
    const put = await proxyObservability(deps(viewer), browser('/x', { method: 'PUT', body: '{}' }), 'grafana', slug, ['api', 'dashboards', 'db'])
    expect(put.status).toBe(405)
    const post = await proxyObservability(deps(viewer), browser('/x', { method: 'POST', body: '{}' }), 'grafana', slug, ['api', 'dashboards', 'db'])
    expect(post.status).toBe(405)
    expect(grafana.seen.length).toBe(before)
    const query = await proxyObservability(deps(viewer), browser('/x', { method: 'POST', body: '{"queries":[]}', headers: { 'content-type': 'application/json' } }), 'grafana', slug, ['api', 'ds', 'query'])
    expect(query.status).toBe(200)
    expect(grafana.seen.at(-1)!.body).toBe('{"queries":[]}')
  })

  it('names what is missing when the token secret does not exist', async () => {
    const response = await proxyObservability({ ...deps(viewer), credentials: async () => null }, browser('/x'), 'grafana', slug, ['d', 'x'])
    expect(response.status).toBe(409)
    expect(await response.text()).toContain('grafana-service-account-token')
  })
})

describe('Grafana HTTP API', () => {
  it('lists dashboards through /api/search?type=dash-db with the token', async () => {
    const result = await listGrafanaDashboards({ db: db(), credentials }, environmentId)
    expect(result).toEqual({ configured: true, error: null, dashboards: [{ uid: 'trading-ops', title: 'Trading operations', folder: 'TRAIDER', url: '/d/trading-ops/trading-operations' }] })
    expect(grafana.seen.at(-1)!.url).toBe('/api/search?type=dash-db&limit=200')
  })

  it('a refused token comes back in words, without the token', async () => {
    const result = await listGrafanaDashboards({ db: db(), credentials: async () => 'wrong-token' }, environmentId)
    expect(result.error).toContain('refused the service-account token')
    expect(result.error).not.toContain('wrong-token')
  })

  it('posts deployment start and end annotations', async () => {
    const annotate = grafanaDeploymentAnnotator({ db: db(), credentials })
    const at = new Date('2026-11-26T10:00:00Z')
    await annotate({ phase: 'start', deploymentId: 'd1', environmentId, environment: slug, number: 4, kind: 'DEPLOY', status: 'started', at, traceId: 'abc123' })
    await annotate({ phase: 'end', deploymentId: 'd1', environmentId, environment: slug, number: 4, kind: 'DEPLOY', status: 'rolled_back', at: new Date(at.getTime() + 60_000), traceId: 'abc123' })
    const posts = grafana.seen.filter((s) => s.url === '/api/annotations')
    expect(posts).toHaveLength(2)
    expect(posts[0].headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect(JSON.parse(posts[0].body)).toEqual({ time: at.getTime(), tags: ['traider-deployment', slug, 'started'], text: `Deployment #4 started on ${slug} (trace abc123)` })
    expect(JSON.parse(posts[1].body).tags).toEqual(['traider-deployment', slug, 'rolled_back'])
  })
})
