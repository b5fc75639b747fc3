// Per-token request limit for the REST API: a fixed one-minute window counted in Redis
// (one INCR per request), shared by every web process.
import type { Redis } from 'ioredis'

export type RateLimitDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number }

export class TokenRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keyFor: (tokenKey: string, window: number) => string,
    private readonly perMinute: number,
  ) {}

  async take(tokenKey: string, now = Date.now()): Promise<RateLimitDecision> {
    const window = Math.floor(now / 60_000)
    const key = this.keyFor(tokenKey, window)
    const [[, count]] = (await this.redis.multi().incr(key).expire(key, 120, 'NX').exec()) as [[Error | null, number], unknown]
    if (count <= this.perMinute) return { allowed: true, remaining: this.perMinute - count }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000)) }
  }
}
