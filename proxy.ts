// Runs before every request: IP allowlist, 1 MB body limit, per-request CSP nonce and
// HSTS, and a cheap "is there a session cookie" redirect for portal pages (the portal
// layout and every procedure still re-check the user against the database).
import { NextResponse, type NextRequest } from 'next/server'
import { getToken } from 'next-auth/jwt'
import { clientIp } from '@/server/auth/client-ip'
import { authSecret, env } from '@/server/env'
import { parseAllowlist, type Allowlist } from '@/server/security/ip-allowlist'
import { contentSecurityPolicy, generateNonce, MAX_BODY_BYTES } from '@/server/security/headers'

let allowlist: Allowlist | undefined

const PUBLIC_PAGES = ['/login']
const ALWAYS_REACHABLE = ['/api/health'] // liveness probes come from the orchestrator, not users

function problem(status: number, title: string, detail: string) {
  return NextResponse.json({ type: 'about:blank', title, status, detail }, { status, headers: { 'content-type': 'application/problem+json' } })
}

export async function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl
  allowlist ??= parseAllowlist(env().ALLOWED_CIDRS)
  const ip = clientIp(request.headers)
  if (!ALWAYS_REACHABLE.includes(pathname) && !allowlist.allows(ip)) {
    return problem(403, 'Forbidden', `Your address ${ip ?? 'unknown'} is not in this control plane's allowlist (ALLOWED_CIDRS). Connect through an allowed network.`)
  }

  const length = Number(request.headers.get('content-length') ?? 0)
  if (length > MAX_BODY_BYTES) {
    return problem(413, 'Payload Too Large', `Request bodies are limited to 1 MB; this one is ${(length / 1048576).toFixed(1)} MB.`)
  }

  const isApi = pathname.startsWith('/api/')
  const https = request.nextUrl.protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https'

  if (!isApi && !PUBLIC_PAGES.includes(pathname)) {
    const token = await getToken({ req: request, secret: authSecret() })
    if (!token) {
      const login = new URL('/login', request.url)
      if (pathname !== '/') login.searchParams.set('callbackUrl', pathname + request.nextUrl.search)
      return NextResponse.redirect(login)
    }
  }

  // Proxied Grafana/Jaeger set their own frame-ancestors 'self' policy: our nonce CSP would block their scripts.
  if (pathname.startsWith('/api/observability/')) return NextResponse.next()

  const nonce = generateNonce()
  const csp = contentSecurityPolicy(nonce, { dev: env().NODE_ENV === 'development' })
  const requestHeaders = new Headers(request.headers)
  requestHeaders.set('x-nonce', nonce)
  requestHeaders.set('content-security-policy', csp)
  const response = NextResponse.next({ request: { headers: requestHeaders } })
  response.headers.set('content-security-policy', csp)
  if (https) response.headers.set('strict-transport-security', 'max-age=63072000; includeSubDomains')
  return response
}

export const config = {
  matcher: [{ source: '/((?!_next/static|_next/image|favicon.ico|icon.svg).*)' }],
}
