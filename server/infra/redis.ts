// The only ioredis wiring. Connections are made on first use and closed by closeRedis().
import { Redis, type RedisOptions } from 'ioredis'
import { env } from '@/server/env'

let shared: Redis | undefined

/** Namespaced key: every key this instance writes starts with REDIS_PREFIX. */
export function redisKey(...parts: string[]): string {
  return [env().REDIS_PREFIX, ...parts].join(':')
}

/** The shared command connection (rate limits, small state). Fails fast when Redis is down. */
export function redis(): Redis {
  shared ??= new Redis(env().REDIS_URL, {
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
    connectTimeout: 3_000,
  })
  return shared
}

/**
 * A new connection for BullMQ. Workers need maxRetriesPerRequest: null (BullMQ's
 * production guide); queues used from web requests keep the default so they fail fast.
 */
export function createBullConnection(kind: 'worker' | 'queue'): Redis {
  const options: RedisOptions =
    kind === 'worker' ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 2, enableOfflineQueue: false }
  return new Redis(env().REDIS_URL, options)
}

export async function closeRedis() {
  const conn = shared
  shared = undefined
  await conn?.quit().catch(() => conn.disconnect())
}
