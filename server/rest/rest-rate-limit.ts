// Per-token request limit for the REST API: a fixed one-minute window counted in Redis, shared
// by every web process. One command per request: a Lua script (sent once, then run by its SHA)
// increments the window's counter and gives it an expiry the first time.
import type { Redis } from 'ioredis'

export type RateLimitDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number }

const WINDOW_TTL_SECONDS = 120
const COMMAND = 'traiderTakeRequest'
const TAKE_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1], 'NX')
return count`

type WithTakeCommand = Redis & { [COMMAND]: (key: string, ttlSeconds: number) => Promise<number> }

/** ioredis registers a script per connection object: once, on first use. */
function withTakeCommand(redis: Redis): WithTakeCommand {
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: TAKE_SCRIPT })
  return redis as WithTakeCommand
}

export class TokenRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keyFor: (tokenKey: string, window: number) => string,
    private readonly perMinute: number,
  ) {}

  async take(tokenKey: string, now = Date.now()): Promise<RateLimitDecision> {
    const window = Math.floor(now / 60_000)
    const count = await withTakeCommand(this.redis)[COMMAND](this.keyFor(tokenKey, window), WINDOW_TTL_SECONDS)
    if (count <= this.perMinute) return { allowed: true, remaining: this.perMinute - count }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000)) }
  }
}
