// Refused API tokens through the REST handler, with the real Redis and database: each refusal
// from an address is audited up to the limit; past it the answer is 429 with Retry-After, one
// token.refusals_throttled event marks the flood and no further audit rows are written; valid
// tokens from the same address keep working, and another address has its own count.
import { randomInt } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { closeRedis, redis, redisKey } from '@/server/infra/redis'
import { createRestHandler } from '@/server/rest/rest-handler'
import { makeUser, recordingQueue, unique } from '@/test/factories'
import { serveFetchHandler } from '@/test/fetch-server'
import { dockerStackRuntime } from '@/server/infra/docker-stack-runtime'
import { createApiToken } from './api-token.service'

let server: { url: string; close: () => Promise<void> }
const prefix = unique('refusals')

beforeAll(async () => {
  const services = () => ({ db: db(), queue: recordingQueue(), runtime: dockerStackRuntime })
  server = await serveFetchHandler(createRestHandler({ services, redis, redisKey: (...p) => redisKey(prefix, ...p), rateLimitPerMinute: 1000, refusalsAuditedPerMinute: 3 }))
})
afterAll(async () => {
  await server?.close()
  await closeRedis()
  await disconnectDb()
})

const junk = () => `trd_${'x'.repeat(38)}${randomInt(10_000, 99_999)}`
const ipAddress = () => `203.0.113.${randomInt(1, 254)}`

async function get(token: string, ip: string) {
  const res = await fetch(`${server.url}/api/v1/environments`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': ip }, signal: AbortSignal.timeout(10_000) })
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { detail?: string } }
}

const auditRows = (ip: string, action: string) => db().auditEvent.count({ where: { ip, action } })

describe('refused API tokens per address', () => {
  it('are audited up to the limit, then answered 429 with one throttle event and no more rows; valid tokens still work', async () => {
    // The window is the wall-clock minute: do not start right before it rolls over.
    const intoMinute = Date.now() % 60_000
    if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute))
    const ip = ipAddress()
    for (let i = 0; i < 3; i++) expect((await get(junk(), ip)).status).toBe(401)
    expect(await auditRows(ip, 'token.refused')).toBe(3)

    for (let i = 0; i < 3; i++) {
      const refused = await get(junk(), ip)
      expect(refused.status).toBe(429)
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1)
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60)
      expect(refused.body.detail).toMatch(/^Too many refused API tokens from your address this minute: wait \d+ s/)
    }
    expect(await auditRows(ip, 'token.refused')).toBe(3)
    expect(await auditRows(ip, 'token.refusals_throttled')).toBe(1)

    const owner = await makeUser('VIEWER')
    const { token } = await createApiToken({ db: db() }, owner, { type: 'USER', id: owner.id, label: owner.email }, { name: unique('ok'), scopes: ['read'], expiresInDays: 1 })
    expect((await get(token, ip)).status).toBe(200)

    const other = ipAddress() === ip ? `${ip}1` : ipAddress()
    expect((await get(junk(), other)).status).toBe(401)
    expect(await auditRows(other, 'token.refused')).toBe(1)
  })
})
