// The authenticated reverse proxy that puts an environment's Grafana and Jaeger under the
// portal's own origin (/api/observability/<grafana|jaeger>/<env>/…): only signed-in people
// who may read environments pass; the proxy adds Grafana's service-account token itself, so
// the browser never sees it; cookies and auth headers do not cross in either direction.
import type { Db } from '@/server/db'
import { hasPermission } from '@/server/auth/permissions'
import type { SessionUser } from '@/server/auth/session'
import { DomainError } from '@/server/errors'
import type { GrafanaCredentials } from './grafana-credentials'
import { proxyTarget } from './observability.service'

export type ProxySystem = 'grafana' | 'jaeger'

export const proxyPrefix = (system: ProxySystem, slug: string) => `/api/observability/${system}/${encodeURIComponent(slug)}`

// What the browser may send on: content negotiation and caching, nothing that authenticates.
const FORWARDED_REQUEST_HEADERS = ['accept', 'accept-language', 'content-type', 'if-none-match', 'if-modified-since', 'range', 'x-grafana-org-id', 'x-datasource-uid', 'x-panel-id', 'x-dashboard-uid']
// Never returned to the browser: upstream sessions and auth, and hop-by-hop/encoding headers
// that no longer describe the body fetch() hands us.
const DROPPED_RESPONSE_HEADERS = ['set-cookie', 'authorization', 'www-authenticate', 'proxy-authenticate', 'content-encoding', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'x-frame-options', 'content-security-policy', 'strict-transport-security']
// Reads only: panels query with POST, but nothing else may change Grafana through the portal.
const POST_ALLOWED: Record<ProxySystem, RegExp[]> = { grafana: [/^api\/ds\/query$/, /^api\/frontend-metrics$/], jaeger: [] }

function problem(status: number, detail: string) {
  return Response.json({ status, detail }, { status, headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' } })
}

export type ProxyDeps = { db: Db; credentials: GrafanaCredentials; currentUser: (request: Request) => Promise<SessionUser | null> }

export async function proxyObservability(deps: ProxyDeps, request: Request, system: ProxySystem, slug: string, path: string[]): Promise<Response> {
  const user = await deps.currentUser(request)
  if (!user) return problem(401, 'You are signed out. Sign in to the portal again to see this view.')
  if (user.mustChangePassword || !hasPermission(user.role, 'env:read')) return problem(403, 'Permission required: env:read. Ask an administrator for a role that includes it.')

  const rest = path.map(encodeURIComponent).join('/')
  if (!['GET', 'HEAD'].includes(request.method) && !(request.method === 'POST' && POST_ALLOWED[system].some((r) => r.test(rest)))) {
    return problem(405, `The portal shows ${system === 'grafana' ? 'Grafana' : 'Jaeger'} read-only: ${request.method} /${rest} is not forwarded. Open it directly to change things.`)
  }

  let target
  try {
    target = await proxyTarget(deps, slug, system)
  } catch (error) {
    if (error instanceof DomainError) return problem(error.code === 'NOT_FOUND' ? 404 : 409, error.message)
    throw error
  }

  const headers = new Headers()
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers.get(name)
    if (value) headers.set(name, value)
  }
  let secret: string | null = null
  if (system === 'grafana') {
    secret = await deps.credentials(target.environmentId, target.tokenSecret)
    if (!secret) return problem(409, `The secret "${target.tokenSecret}" is not in this environment's secret store: add Grafana's service-account token under that name.`)
    headers.set('authorization', `Bearer ${secret}`)
  }

  const search = new URL(request.url).search
  const upstream = `${target.base}/${rest}${search}`
  let response: Response
  try {
    response = await fetch(upstream, {
      method: request.method,
      headers,
      body: request.method === 'POST' ? await request.arrayBuffer() : undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    })
  } catch (error) {
    return problem(502, `${system === 'grafana' ? 'Grafana' : 'Jaeger'} at ${target.base} did not answer (${(error as Error).message}): check the environment's observability settings.`)
  }

  const out = new Headers()
  response.headers.forEach((value, name) => {
    if (!DROPPED_RESPONSE_HEADERS.includes(name)) out.set(name, value)
  })
  // Only our own pages may frame it; scripts follow the upstream app's own rules.
  out.set('content-security-policy', "frame-ancestors 'self'")
  out.set('x-frame-options', 'SAMEORIGIN')
  out.set('cache-control', response.headers.get('cache-control') ?? 'private, no-store')
  const location = response.headers.get('location')
  if (location) {
    const prefix = proxyPrefix(system, slug)
    out.set('location', location.startsWith(target.base) ? prefix + location.slice(target.base.length) : location.startsWith('/') ? prefix + location : location)
  }

  const type = response.headers.get('content-type') ?? ''
  if (secret && /json|text|javascript|html/.test(type)) {
    // Belt and braces: an upstream that echoes the token (a debug page) must not hand it out.
    const text = (await response.text()).split(secret).join('[redacted]')
    return new Response(request.method === 'HEAD' ? null : text, { status: response.status, headers: out })
  }
  return new Response(request.method === 'HEAD' ? null : response.body, { status: response.status, headers: out })
}
