// The /api/v1 REST API over real HTTP (node:http on 127.0.0.1) against real Postgres and
// Redis: every response is checked against the SERVED OpenAPI document by independent
// validators (test/openapi-contract.ts); token scope × endpoint matrix; expired, revoked,
// unknown tokens; validation problems; idempotent deployment requests; 429 with Retry-After.
import { TRPCError } from '@trpc/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCaller } from '@/server/api/root'
import { SCOPE_PERMISSIONS, TOKEN_SCOPES, type TokenScope } from '@/server/auth/api-token-scopes'
import type { Permission } from '@/server/auth/permissions'
import { db, disconnectDb } from '@/server/db'
import { env } from '@/server/env'
import { closeRedis, redis, redisKey } from '@/server/infra/redis'
import { createApiToken, revokeApiToken } from '@/server/modules/api-token/api-token.service'
import { saveStackVersion } from '@/server/modules/stack/stack.service'
import { fakeImageRuntime, makeUser, ONE_SERVICE_STACK as STACK, recordingQueue, unique } from '@/test/factories'
import { serveFetchHandler } from '@/test/fetch-server'
import { loadServedOpenApi } from '@/test/openapi-contract'
import { createRestHandler } from './rest-handler'

const services = () => ({ db: db(), queue: recordingQueue(), runtime: fakeImageRuntime })
const system = { type: 'SYSTEM' as const, id: null, label: 'test' }

type U = Awaited<ReturnType<typeof makeUser>>
let server: { url: string; close: () => Promise<void> }
let limited: { url: string; close: () => Promise<void> }
let contract: Awaited<ReturnType<typeof loadServedOpenApi>>
let admin: U, viewer: U
const scopeTokens = {} as Record<TokenScope, string>
let allScopes: string

async function tokenFor(user: { id: string; email: string }, scopes: TokenScope[], days = 30) {
  const created = await createApiToken({ db: db() }, user, { type: 'USER', id: user.id, label: user.email }, { name: unique('t'), scopes, expiresInDays: days })
  return created
}

async function api(base: string, token: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const url = `${base}/api/v1${path}`
  const res = await fetch(url, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  })
  const json = (await res.json()) as Record<string, unknown> & { detail?: string }
  await contract.check(method, url, res, json)
  return { status: res.status, body: json, headers: res.headers }
}

beforeAll(async () => {
  ;[admin, viewer] = await Promise.all([makeUser('ADMIN'), makeUser('VIEWER')])
  for (const scope of TOKEN_SCOPES) scopeTokens[scope] = (await tokenFor(admin, [scope])).token
  allScopes = (await tokenFor(admin, [...TOKEN_SCOPES])).token
  server = await serveFetchHandler(createRestHandler({ services, redis, redisKey, rateLimitPerMinute: 10_000 }))
  limited = await serveFetchHandler(createRestHandler({ services, redis, redisKey: (...p) => redisKey('limited', ...p), rateLimitPerMinute: 3 }))
  contract = await loadServedOpenApi(server.url)
})

afterAll(async () => {
  contract?.dispose()
  await server?.close()
  await limited?.close()
  await closeRedis()
  await disconnectDb()
})

describe('OpenAPI document', () => {
  it('the contract check itself rejects a body that does not match the document', async () => {
    const res = new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } })
    await expect(contract.check('GET', `${server.url}/api/v1/environments/x`, res, { id: 1 })).rejects.toThrow(/does not match the OpenAPI document/)
    const wrongStatus = new Response('{}', { status: 418, headers: { 'content-type': 'application/json' } })
    await expect(contract.check('GET', `${server.url}/api/v1/environments`, wrongStatus, {})).rejects.toThrow(/does not list/)
  })

  it('is served without a token, is a valid OpenAPI 3.1 document and lists every endpoint', async () => {
    expect(contract.doc.openapi).toBe('3.1.0')
    const operations = Object.entries(contract.doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
    expect(operations.sort()).toEqual([
      'GET /approvals', 'GET /audit', 'GET /deployments', 'GET /deployments/{id}', 'GET /environments', 'GET /environments/{slug}', 'GET /environments/{slug}/backups', 'GET /environments/{slug}/stack',
      'POST /audit/verify', 'POST /deployments/{id}/cancel', 'POST /environments/{slug}/backups', 'POST /environments/{slug}/deployments', 'POST /environments/{slug}/plan', 'POST /environments/{slug}/rollback',
    ])
  })
})

// Each endpoint with input that passes validation but names nothing that exists: a request let
// through answers 200 or 404, a refused one 403, and nothing is changed.
const ENDPOINTS: Array<{ method: string; path: string; body?: unknown; permission: Permission }> = [
  { method: 'GET', path: '/environments', permission: 'env:read' },
  { method: 'GET', path: '/environments/no-such-env', permission: 'env:read' },
  { method: 'GET', path: '/environments/no-such-env/stack', permission: 'env:read' },
  { method: 'POST', path: '/environments/no-such-env/plan', body: {}, permission: 'deploy:request' },
  { method: 'POST', path: '/environments/no-such-env/deployments', body: {}, permission: 'deploy:request' },
  { method: 'POST', path: '/environments/no-such-env/rollback', body: {}, permission: 'deploy:rollback' },
  { method: 'POST', path: '/environments/no-such-env/rollback', body: { emergency: true, reason: 'prices are stale' }, permission: 'deploy:emergency' },
  { method: 'GET', path: '/deployments', permission: 'deploy:read' },
  { method: 'GET', path: '/deployments/no-such-id', permission: 'deploy:read' },
  { method: 'POST', path: '/deployments/no-such-id/cancel', permission: 'deploy:request' },
  { method: 'GET', path: '/approvals', permission: 'deploy:read' },
  { method: 'GET', path: '/environments/no-such-env/backups', permission: 'backup:read' },
  { method: 'POST', path: '/environments/no-such-env/backups', body: {}, permission: 'backup:run' },
  { method: 'GET', path: '/audit', permission: 'audit:read' },
  { method: 'POST', path: '/audit/verify', permission: 'audit:read' },
]

describe('token scope × endpoint matrix (owner is an admin, so only the scope decides)', () => {
  const cases = TOKEN_SCOPES.flatMap((scope) => ENDPOINTS.map((e) => [scope, e, SCOPE_PERMISSIONS[scope].includes(e.permission)] as const))
  it.each(cases.map(([scope, e, allowed]) => [`${scope} → ${e.method} ${e.path}${e.body && 'emergency' in (e.body as object) ? ' (emergency)' : ''} → ${allowed ? 'allowed' : '403'}`, scope, e, allowed] as const))(
    '%s',
    async (_name, scope, e, allowed) => {
      const res = await api(server.url, scopeTokens[scope], e.method, e.path, e.body)
      if (allowed) expect([200, 404]).toContain(res.status)
      else {
        expect(res.status).toBe(403)
        expect(res.body.detail).toContain(`Permission required: ${e.permission}`)
      }
    },
  )

  it('a token never has more than its owner: a viewer’s all-scope token cannot deploy but can read', async () => {
    const { token } = await tokenFor(viewer, [...TOKEN_SCOPES])
    expect((await api(server.url, token, 'GET', '/deployments')).status).toBe(200)
    const refused = await api(server.url, token, 'POST', '/environments/no-such-env/deployments', {})
    expect(refused.status).toBe(403)
    expect(refused.body.detail).toContain("owner's role does not include it")
    const denied = await db().auditEvent.findFirst({ where: { action: 'auth.permission_denied', actorId: viewer.id }, orderBy: { id: 'desc' } })
    expect(denied?.outcome).toBe('denied')
  })

  it('a demoted owner’s token loses the right at once', async () => {
    const owner = await makeUser('OPERATOR')
    const { token } = await tokenFor(owner, ['deploy:request'])
    expect((await api(server.url, token, 'POST', '/environments/no-such-env/plan', {})).status).toBe(404)
    await db().user.update({ where: { id: owner.id }, data: { role: 'VIEWER' } })
    expect((await api(server.url, token, 'POST', '/environments/no-such-env/plan', {})).status).toBe(403)
  })
})

describe('refused tokens (401, problem+json, audited)', () => {
  it('no token: 401 with WWW-Authenticate', async () => {
    const res = await api(server.url, null, 'GET', '/environments')
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(res.headers.get('www-authenticate')).toContain('Bearer')
  })

  it('expired token', async () => {
    const created = await tokenFor(admin, ['read'])
    await db().apiToken.update({ where: { id: created.apiToken.id }, data: { expiresAt: new Date(Date.now() - 1000) } })
    const res = await api(server.url, created.token, 'GET', '/environments')
    expect(res.status).toBe(401)
    expect(res.body.detail).toContain('expired')
    const event = await db().auditEvent.findFirst({ where: { action: 'token.refused', targetId: created.apiToken.id }, orderBy: { id: 'desc' } })
    expect(event).toMatchObject({ actorType: 'TOKEN', outcome: 'denied', summary: { reason: 'expired', ownerId: admin.id } })
  })

  it('revoked token (revocation audited; the token is refused from then on)', async () => {
    const created = await tokenFor(admin, ['read'])
    expect((await api(server.url, created.token, 'GET', '/environments')).status).toBe(200)
    await revokeApiToken({ db: db() }, admin, { type: 'USER', id: admin.id, label: admin.email }, created.apiToken.id)
    const res = await api(server.url, created.token, 'GET', '/environments')
    expect(res.status).toBe(401)
    expect(res.body.detail).toContain('revoked')
    expect(await db().auditEvent.count({ where: { action: 'token.revoke', targetId: created.apiToken.id } })).toBe(1)
    expect(await db().auditEvent.count({ where: { action: 'token.refused', targetId: created.apiToken.id } })).toBe(1)
  })

  it('unknown and malformed tokens; a disabled owner’s token', async () => {
    const unknown = await api(server.url, `trd_${'A'.repeat(43)}`, 'GET', '/environments')
    expect(unknown.status).toBe(401)
    expect(unknown.body.detail).toContain('not known')
    expect((await api(server.url, 'hunter2', 'GET', '/environments')).status).toBe(401)
    const owner = await makeUser('OPERATOR')
    const { token } = await tokenFor(owner, ['read'])
    await db().user.update({ where: { id: owner.id }, data: { disabled: true } })
    const disabled = await api(server.url, token, 'GET', '/environments')
    expect(disabled.status).toBe(401)
    expect(disabled.body.detail).toContain('disabled')
  })

  it('records last use, written at most once a minute', async () => {
    const created = await tokenFor(admin, ['read'])
    await api(server.url, created.token, 'GET', '/approvals')
    const first = (await db().apiToken.findUniqueOrThrow({ where: { id: created.apiToken.id } })).lastUsedAt
    expect(first).toBeInstanceOf(Date)
    await api(server.url, created.token, 'GET', '/approvals')
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: created.apiToken.id } })).lastUsedAt).toEqual(first)
  })
})

describe('requests and problems', () => {
  let slug: string
  beforeAll(async () => {
    slug = unique('rest')
    const environment = await db().environment.create({ data: { name: `REST ${slug}`, slug, tier: 'DEVELOPMENT', dockerEndpoint: 'unix:///var/run/docker.sock' } })
    await saveStackVersion({ db: db() }, system, { environmentId: environment.id, composeYaml: STACK, source: 'pasted' })
  })

  it('validation errors are 400 and name each field', async () => {
    const res = await api(server.url, allScopes, 'GET', '/deployments?limit=abc&status=NOPE')
    expect(res.status).toBe(400)
    expect((res.body.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(['query.limit', 'query.status.0'])
    const body = await api(server.url, allScopes, 'POST', `/environments/${slug}/deployments`, { bakeSeconds: -1, variables: { '1BAD': 'x' } })
    expect(body.status).toBe(400)
    expect(body.body.detail).toContain('body.bakeSeconds: The bake window cannot be negative.')
  })

  it('domain refusals map to 422 / 409, not 500', async () => {
    const missing = await api(server.url, allScopes, 'POST', `/environments/${slug}/plan`, {})
    expect(missing.status).toBe(422)
    expect(missing.body.detail).toContain('WEB_TAG')
    const noReason = await api(server.url, allScopes, 'POST', `/environments/${slug}/rollback`, { emergency: true })
    expect(noReason.status).toBe(422)
    const nothing = await api(server.url, allScopes, 'POST', `/environments/${slug}/rollback`, {})
    expect(nothing.status).toBe(409)
    expect(nothing.body.detail).toContain('no successful release')
  })

  it('stack, plan, idempotent request, get, list with cursor, cancel — audited as the person via the token', async () => {
    const stack = await api(server.url, allScopes, 'GET', `/environments/${slug}/stack`)
    expect(stack.status).toBe(200)
    expect(stack.body.requiredVariables).toEqual(['WEB_TAG'])
    const plan = await api(server.url, allScopes, 'POST', `/environments/${slug}/plan`, { variables: { WEB_TAG: 'v1' } })
    expect(plan.status).toBe(200)
    expect(plan.body.planHash).toMatch(/^[0-9a-f]{64}$/)

    const key = unique('idem')
    const first = await api(server.url, allScopes, 'POST', `/environments/${slug}/deployments`, { variables: { WEB_TAG: 'v1' } }, { 'idempotency-key': key })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ number: 1, queued: true, approval: 'approved' })
    const again = await api(server.url, allScopes, 'POST', `/environments/${slug}/deployments`, { variables: { WEB_TAG: 'v1' } }, { 'idempotency-key': key })
    expect(again.status).toBe(201)
    expect(again.body.id).toBe(first.body.id)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    const otherBody = await api(server.url, allScopes, 'POST', `/environments/${slug}/deployments`, { variables: { WEB_TAG: 'v2' } }, { 'idempotency-key': key })
    expect(otherBody.status).toBe(422)

    const busy = await api(server.url, allScopes, 'POST', `/environments/${slug}/deployments`, { variables: { WEB_TAG: 'v1' } })
    expect(busy.status).toBe(409)
    expect(busy.body.detail).toContain('Deployment #1')

    const one = await api(server.url, allScopes, 'GET', `/deployments/${first.body.id}`)
    expect(one.status).toBe(200)
    expect(one.body).toMatchObject({ id: first.body.id, status: 'QUEUED', release: { number: 1, variables: { WEB_TAG: 'v1' } }, requestedBy: { email: admin.email } })

    const cancelled = await api(server.url, allScopes, 'POST', `/deployments/${first.body.id}/cancel`)
    expect(cancelled).toMatchObject({ status: 200, body: { cancelledImmediately: true } })
    expect((await api(server.url, allScopes, 'POST', `/deployments/${first.body.id}/cancel`)).status).toBe(409)
    const second = await api(server.url, allScopes, 'POST', `/environments/${slug}/deployments`, { variables: { WEB_TAG: 'v2' } })
    expect(second.body.number).toBe(2)

    const page1 = await api(server.url, allScopes, 'GET', `/deployments?environment=${slug}&limit=1`)
    expect((page1.body.items as Array<{ number: number }>).map((d) => d.number)).toEqual([2])
    const page2 = await api(server.url, allScopes, 'GET', `/deployments?environment=${slug}&limit=1&cursor=${page1.body.nextCursor as string}`)
    expect((page2.body.items as Array<{ number: number }>).map((d) => d.number)).toEqual([1])
    expect(page2.body.nextCursor).toBeNull()
    const filtered = await api(server.url, allScopes, 'GET', `/deployments?environment=${slug}&status=cancelled`)
    expect((filtered.body.items as Array<{ number: number }>).map((d) => d.number)).toEqual([1])

    const requested = await db().auditEvent.findFirstOrThrow({ where: { action: 'deployment.request', targetId: first.body.id as string } })
    expect(requested).toMatchObject({ actorType: 'USER', actorId: admin.id, actorLabel: admin.email })
    expect((requested.summary as { viaToken?: { name: string } }).viaToken?.name).toMatch(/^t-/)

    const audit = await api(server.url, allScopes, 'GET', `/audit?action=deployment.&limit=2`)
    expect(audit.status).toBe(200)
    expect((audit.body.items as unknown[]).length).toBe(2)
    expect(typeof audit.body.nextCursor).toBe('string')
    const verify = await api(server.url, allScopes, 'POST', '/audit/verify')
    expect(verify.body.ok).toBe(true)
    await api(server.url, allScopes, 'POST', `/deployments/${second.body.id}/cancel`)
  })

  it('backups: list (empty) and run (refused with what to do while backups are not set up)', async () => {
    const list = await api(server.url, allScopes, 'GET', `/environments/${slug}/backups`)
    expect(list).toMatchObject({ status: 200, body: [] })
    const run = await api(server.url, allScopes, 'POST', `/environments/${slug}/backups`, { kind: 'FULL' })
    expect(run.status).toBe(409)
    expect(run.body.detail).toContain('Backups are not set up')
  })

  it('unknown paths are 404 and wrong methods 405, as problems', async () => {
    const res = await fetch(`${server.url}/api/v1/nope`, { headers: { authorization: `Bearer ${allScopes}` } })
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    const wrong = await fetch(`${server.url}/api/v1/environments`, { method: 'POST', headers: { authorization: `Bearer ${allScopes}` } })
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET')
  })
})

describe('rate limit per token (real Redis)', () => {
  it('answers 429 with Retry-After past the limit, per token', async () => {
    const a = (await tokenFor(admin, ['read'])).token
    const b = (await tokenFor(admin, ['read'])).token
    // The window is the wall-clock minute: do not start right before it rolls over.
    const intoMinute = Date.now() % 60_000
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute))
    for (let i = 0; i < 3; i++) expect((await api(limited.url, a, 'GET', '/approvals')).status).toBe(200)
    const refused = await api(limited.url, a, 'GET', '/approvals')
    expect(refused.status).toBe(429)
    const retryAfter = Number(refused.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(refused.body.detail).toContain('more than 3 requests this minute')
    // Another token has its own budget (unless the minute just rolled over, it is untouched).
    expect((await api(limited.url, b, 'GET', '/approvals')).status).toBe(200)
    const keys = await redis().keys(`${env().REDIS_PREFIX}:limited:ratelimit:api-token:*`)
    expect(keys.length).toBeGreaterThanOrEqual(2)
  })
})

describe('tRPC with a token', () => {
  function tokenCaller(user: U, scopes: TokenScope[]) {
    return createCaller({
      services: services(),
      user: { id: user.id, email: user.email, name: user.name, role: user.role, mustChangePassword: false },
      token: { id: 'tok', name: 'ci', scopes },
      ip: '127.0.0.1',
      userAgent: 'vitest',
    })
  }

  it('tokens cannot approve, manage tokens or touch the account, even with every scope and an admin owner', async () => {
    const caller = tokenCaller(admin, [...TOKEN_SCOPES])
    for (const call of [
      () => caller.approval.approve({ deploymentId: 'x', comment: '' }),
      () => caller.approval.reject({ deploymentId: 'x', comment: 'nope nope' }),
      () => caller.apiToken.create({ name: 'x', scopes: ['read'], expiresInDays: 1 }),
      () => caller.apiToken.list(),
      () => caller.user.list(),
      () => caller.account.me(),
    ]) {
      const error = await call().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TRPCError)
      expect((error as TRPCError).code).toBe('FORBIDDEN')
    }
  })

  it('scopes decide like in REST', async () => {
    expect(await tokenCaller(admin, ['read']).deployment.list({})).toHaveProperty('items')
    const error = await tokenCaller(admin, ['deploy:request']).environment.list().catch((e: unknown) => e)
    expect((error as TRPCError).code).toBe('FORBIDDEN')
    expect((error as TRPCError).message).toContain('lacks the "read" scope')
  })
})

describe('tRPC over HTTP with a bearer token (the Next route handler)', () => {
  const call = async (path: string, token: string, input: unknown) => {
    const { POST } = await import('@/app/api/trpc/[trpc]/route')
    const res = await POST(new Request(`http://127.0.0.1/api/trpc/${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ json: input }) }))
    return { status: res.status, body: (await res.json()) as { result?: unknown; error?: { json: { message: string } } } }
  }

  it('a read token lists deployments; it cannot approve; a revoked token is signed out', async () => {
    const created = await tokenFor(admin, ['read'])
    expect((await call('deployment.list', created.token, { limit: 1 })).status).toBe(200)
    const approve = await call('approval.approve', allScopes, { deploymentId: 'x', comment: '' })
    expect(approve.status).toBe(403)
    expect(approve.body.error?.json.message).toContain('Permission required: deploy:approve')
    await revokeApiToken({ db: db() }, admin, { type: 'USER', id: admin.id, label: admin.email }, created.apiToken.id)
    expect((await call('deployment.list', created.token, { limit: 1 })).status).toBe(401)
  })
})

