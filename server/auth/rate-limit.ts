// Sign-in throttling in Redis: failed attempts are counted per client IP and per account in
// a fixed window; once either count reaches its limit, sign-in is refused until the window
// expires, with a message that says how long to wait.
import type { Redis } from 'ioredis'

export type RateLimitPolicy = { maxAttempts: number; windowSeconds: number }

export type Throttle = { locked: false } | { locked: true; retryAfterSeconds: number }

export class FailureCounter {
  constructor(
    private readonly redis: Redis,
    private readonly keyFor: (subject: string) => string,
    private readonly policy: RateLimitPolicy,
  ) {}

  async check(subject: string): Promise<Throttle> {
    const key = this.keyFor(subject)
    const [count, ttl] = await Promise.all([this.redis.get(key), this.redis.ttl(key)])
    if (Number(count ?? 0) < this.policy.maxAttempts) return { locked: false }
    return { locked: true, retryAfterSeconds: ttl > 0 ? ttl : this.policy.windowSeconds }
  }

  async recordFailure(subject: string): Promise<void> {
    const key = this.keyFor(subject)
    // One round trip; NX sets the expiry only when the window starts.
    await this.redis.multi().incr(key).expire(key, this.policy.windowSeconds, 'NX').exec()
  }

  async reset(subject: string): Promise<void> {
    await this.redis.del(this.keyFor(subject))
  }
}

export function tryAgainMessage(retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60))
  return `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask an administrator to check your account.`
}
