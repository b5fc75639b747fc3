// The /api/v1 REST API as a plain fetch handler ((Request) => Promise<Response>): Next.js
// mounts it (app/api/v1/[...path]/route.ts), tests and the bench serve it from node:http.
// Bearer API tokens only; per-token rate limit; problem+json errors; responses are parsed
// through their zod schema, so what is sent is what the OpenAPI document says.
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { z } from 'zod'
import { clientIp, userAgent } from '@/server/auth/client-ip'
import { scopeFor, tokenAllows } from '@/server/auth/api-token-scopes'
import type { Services } from '@/server/container'
import { logger } from '@/server/logger'
import { audit, type AuditActor } from '@/server/modules/audit/audit'
import { bearerToken, REFUSAL_MESSAGES } from '@/server/modules/api-token/api-token.service'
import { authenticateApiTokenThrottled, redisRefusalThrottle, TOKEN_REFUSALS_AUDITED_PER_MINUTE } from '@/server/modules/api-token/token-refusal-throttle'
import { buildOpenApiDocument } from './openapi'
import { fieldProblems, problemFromError, problemResponse, validationProblem, type FieldProblem } from './problem'
import { TokenRateLimiter } from './rest-rate-limit'
import type { RestContext, RestRoute } from './rest-route'
import { restRoutes } from './routes'

type AnyRoute = RestRoute<z.ZodType, z.ZodType, z.ZodType>

export type RestHandlerDeps = {
  services: () => Services
  redis: () => Redis
  /** Namespaced Redis key (server/infra/redis.ts redisKey). */
  redisKey: (...parts: string[]) => string
  rateLimitPerMinute: number
  /** Refused tokens audited per client address and minute; beyond that, 429 without an audit row each. */
  refusalsAuditedPerMinute?: number
  basePath?: string
  routes?: AnyRoute[]
}

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600
const MAX_BODY_BYTES = 1024 * 1024

function compile(route: AnyRoute) {
  const names: string[] = []
  const pattern = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name)
    return '([^/]+)'
  })
  return { route, regex: new RegExp(`^${pattern}$`), names }
}

/**
 * Dates become ISO strings by themselves; 64-bit ids become decimal strings. The replacer is
 * called for every value (10–40 % slower on a deployments page), so it only runs for bodies
 * that hold a bigint: plain JSON.stringify refuses those with a TypeError.
 */
function toJson(value: unknown): string {
  try {
    return JSON.stringify(value)
  } catch (error) {
    if (!(error instanceof TypeError)) throw error
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  }
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(toJson(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } })
}

async function readJsonBody(req: Request): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const text = await req.text()
  if (text.length > MAX_BODY_BYTES) return { ok: false, response: problemResponse(413, 'The request body is larger than 1 MB.') }
  if (text.trim() === '') return { ok: true, value: {} }
  const type = req.headers.get('content-type') ?? ''
  if (!/^application\/(.+\+)?json\b/i.test(type)) return { ok: false, response: problemResponse(415, 'Send the body as JSON with "Content-Type: application/json".') }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false, response: problemResponse(400, 'The request body is not valid JSON.', { code: 'VALIDATION', errors: [{ field: 'body', message: 'Not valid JSON.' }] }) }
  }
}

export function createRestHandler(deps: RestHandlerDeps): (req: Request) => Promise<Response> {
  const basePath = deps.basePath ?? '/api/v1'
  const routes = deps.routes ?? restRoutes
  const compiled = routes.map(compile)
  let openApi: string | undefined
  const refusals = () => redisRefusalThrottle(deps.redis(), (ip, window) => deps.redisKey('ratelimit', 'token-refusals', ip, String(window)), deps.refusalsAuditedPerMinute ?? TOKEN_REFUSALS_AUDITED_PER_MINUTE)
  const limiter = () => new TokenRateLimiter(deps.redis(), (key, window) => deps.redisKey('ratelimit', 'api-token', key, String(window)), deps.rateLimitPerMinute)

  return async function handleRestRequest(req: Request): Promise<Response> {
    const url = new URL(req.url)
    const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) || '/' : url.pathname
    if (path === '/openapi.json' && req.method === 'GET') {
      openApi ??= JSON.stringify(buildOpenApiDocument(routes, basePath))
      return new Response(openApi, { headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' } })
    }

    const candidates = compiled.map((c) => ({ c, m: c.regex.exec(path) })).filter((x) => x.m)
    if (candidates.length === 0) return problemResponse(404, `No API endpoint at ${basePath}${path}. The endpoints are listed in ${basePath}/openapi.json.`)
    const hit = candidates.find((x) => x.c.route.method === req.method)
    if (!hit) {
      const allow = candidates.map((x) => x.c.route.method).join(', ')
      return problemResponse(405, `${req.method} is not supported here: use ${allow}.`, {}, { allow })
    }
    const { route, names } = hit.c
    const client = { ip: clientIp(req.headers), userAgent: userAgent(req.headers) }
    const services = deps.services()

    // Authentication: bearer API tokens only (the portal's session cookie is not accepted here).
    const token = bearerToken(req.headers)
    if (!token) {
      return problemResponse(401, 'Send an API token as "Authorization: Bearer trd_…". Create one in the portal under Settings → API tokens.', { code: 'UNAUTHENTICATED' }, { 'www-authenticate': 'Bearer realm="traider"' })
    }
    // GET endpoints only read: they may use a token lookup up to 5 s old; the others re-read it.
    const auth = await authenticateApiTokenThrottled(services, refusals(), token, client, { readOnly: route.method === 'GET' })
    if (!auth.ok && auth.reason === 'too_many_refusals') {
      return problemResponse(429, `Too many refused API tokens from your address this minute: wait ${auth.retryAfterSeconds} s, and check the token you send (Settings → API tokens).`, { code: 'RATE_LIMITED' }, { 'retry-after': String(auth.retryAfterSeconds) })
    }
    if (!auth.ok) {
      return problemResponse(401, REFUSAL_MESSAGES[auth.reason], { code: 'UNAUTHENTICATED' }, { 'www-authenticate': `Bearer realm="traider", error="invalid_token"` })
    }
    const { user, token: identity } = auth.principal

    const decision = await limiter().take(createHash('sha256').update(identity.id).digest('hex').slice(0, 32))
    if (!decision.allowed) {
      return problemResponse(429, `This API token made more than ${deps.rateLimitPerMinute} requests this minute: wait ${decision.retryAfterSeconds} s and retry.`, { code: 'RATE_LIMITED' }, { 'retry-after': String(decision.retryAfterSeconds) })
    }

    // Input: path parameters, query and body, each through its zod schema.
    const problems: FieldProblem[] = []
    const parse = (schema: z.ZodType | undefined, value: unknown, where: string) => {
      if (!schema) return {}
      const result = schema.safeParse(value)
      if (result.success) return result.data
      problems.push(...fieldProblems(result.error, where))
      return undefined
    }
    const rawParams = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(hit.m![i + 1])]))
    const params = parse(route.params, rawParams, 'path')
    const query = parse(route.query, Object.fromEntries(url.searchParams), 'query')
    let bodyValue: unknown = {}
    if (route.method === 'POST') {
      const body = await readJsonBody(req)
      if (!body.ok) return body.response
      bodyValue = body.value
    }
    const body = parse(route.body, bodyValue, 'body')
    if (problems.length) return validationProblem(problems)
    const input = { params, query, body }

    const actor: AuditActor = { type: 'USER', id: user.id, label: user.email, ip: client.ip, userAgent: client.userAgent, viaToken: { id: identity.id, name: identity.name } }
    const permission = typeof route.permission === 'function' ? route.permission(input) : route.permission
    if (user.mustChangePassword || !tokenAllows(identity.scopes, user.role, permission)) {
      await audit(services.db, actor, {
        action: 'auth.permission_denied',
        outcome: 'denied',
        summary: { endpoint: `${route.method} ${route.path}`, permission, role: user.role, tokenScopes: identity.scopes },
      })
      const scope = scopeFor(permission)
      const detail = user.mustChangePassword
        ? "The token's owner must change their one-time password in the portal first."
        : `Permission required: ${permission}. This token ${scope && !identity.scopes.includes(scope) ? `lacks the "${scope}" scope: create a token with it` : "owner's role does not include it: ask an administrator"}.`
      return problemResponse(403, detail, { code: 'FORBIDDEN' })
    }

    const ctx: RestContext = { services, user, token: identity, actor }
    const run = async () => {
      try {
        const result = await route.handler(ctx, input)
        return jsonResponse(route.status ?? 200, route.response.parse(result))
      } catch (error) {
        const { response, unexpected } = problemFromError(error)
        if (unexpected) logger.error('REST request failed', { endpoint: `${route.method} ${route.path}`, error: error instanceof Error ? error.message : String(error) })
        return response
      }
    }

    const idempotencyKey = route.idempotent ? req.headers.get('idempotency-key') : null
    if (!idempotencyKey) return run()
    if (idempotencyKey.length > 200) return validationProblem([{ field: 'header.Idempotency-Key', message: 'At most 200 characters.' }])
    return withIdempotency(deps, identity.id, `${route.operationId}:${idempotencyKey}`, toJson(input), run)
  }
}

/** First request with a key runs; repeats get the stored answer; a different body with the same key is refused. */
async function withIdempotency(deps: RestHandlerDeps, tokenId: string, key: string, fingerprint: string, run: () => Promise<Response>): Promise<Response> {
  const redis = deps.redis()
  const redisKey = deps.redisKey('idempotency', tokenId, createHash('sha256').update(key).digest('hex'))
  const hash = createHash('sha256').update(fingerprint).digest('hex')
  const claimed = await redis.set(redisKey, JSON.stringify({ state: 'running', hash }), 'EX', IDEMPOTENCY_TTL_SECONDS, 'NX')
  if (!claimed) {
    const stored = JSON.parse((await redis.get(redisKey)) ?? '{}') as { state?: string; hash?: string; status?: number; body?: string; contentType?: string }
    if (stored.hash !== hash) return problemResponse(422, 'This Idempotency-Key was already used with a different request body: use a new key for a new request.', { code: 'IDEMPOTENCY_MISMATCH' })
    if (stored.state !== 'done') return problemResponse(409, 'A request with this Idempotency-Key is still being processed: retry in a moment.', { code: 'CONFLICT' })
    return new Response(stored.body, { status: stored.status, headers: { 'content-type': stored.contentType ?? 'application/json', 'idempotent-replayed': 'true' } })
  }
  const response = await run()
  const body = await response.text()
  if (response.status >= 500) await redis.del(redisKey)
  else await redis.set(redisKey, JSON.stringify({ state: 'done', hash, status: response.status, body, contentType: response.headers.get('content-type') }), 'EX', IDEMPOTENCY_TTL_SECONDS)
  return new Response(body, { status: response.status, headers: response.headers })
}
