// Refused API tokens, counted per client address in Redis: each refusal is audited until an
// address has had `perMinute` of them in the current minute; after that its refusals are
// answered "too many" without an audit row each (one token.refusals_throttled event marks the
// flood), so junk tokens cannot flood the hash-chained audit log. Valid tokens still work.
import type { Redis } from 'ioredis'
import type { Db } from '@/server/db'
import { audit } from '@/server/modules/audit/audit'
import { authenticateApiToken, type AuthenticateOptions, type TokenAuthResult } from './api-token.service'

export const TOKEN_REFUSALS_AUDITED_PER_MINUTE = 30

export type RefusalDecision = { audit: true } | { audit: false; first: boolean; retryAfterSeconds: number }
export type RefusalThrottle = { admit(ip: string | null): Promise<RefusalDecision> }

export function redisRefusalThrottle(redis: Redis, keyFor: (ip: string, window: number) => string, perMinute = TOKEN_REFUSALS_AUDITED_PER_MINUTE, now = () => Date.now()): RefusalThrottle {
  return {
    async admit(ip) {
      const at = now()
      const window = Math.floor(at / 60_000)
      const key = keyFor(ip ?? 'unknown', window)
      const replies = (await redis.multi().incr(key).expire(key, 120, 'NX').exec()) as Array<[Error | null, unknown]>
      const count = Number(replies[0][1])
      if (count <= perMinute) return { audit: true }
      return { audit: false, first: count === perMinute + 1, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * 60_000 - at) / 1000)) }
    },
  }
}

export type ThrottledTokenAuthResult = TokenAuthResult | { ok: false; reason: 'too_many_refusals'; retryAfterSeconds: number }

/** authenticateApiToken, with refusals from one address beyond the throttle's limit not audited one by one. */
export async function authenticateApiTokenThrottled(
  deps: { db: Db },
  throttle: RefusalThrottle,
  token: string,
  client: { ip: string | null; userAgent: string | null },
  options: Omit<AuthenticateOptions, 'auditRefusal'> = {},
): Promise<ThrottledTokenAuthResult> {
  let throttled: number | null = null
  const result = await authenticateApiToken(deps, token, client, {
    ...options,
    auditRefusal: async () => {
      const decision = await throttle.admit(client.ip)
      if (decision.audit) return true
      throttled = decision.retryAfterSeconds
      if (decision.first) {
        await audit(
          deps.db,
          { type: 'TOKEN', id: null, label: 'refused tokens', ip: client.ip, userAgent: client.userAgent },
          { action: 'token.refusals_throttled', outcome: 'denied', summary: { ip: client.ip, untilSeconds: decision.retryAfterSeconds, note: 'further refusals from this address are not audited one by one this minute' } },
        )
      }
      return false
    },
  })
  if (!result.ok && throttled !== null) return { ok: false, reason: 'too_many_refusals', retryAfterSeconds: throttled }
  return result
}
