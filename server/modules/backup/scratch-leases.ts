// Leases on scratch copies (one-off containers and volumes a drill or restore makes beside a
// stack's database). The worker that makes one holds its lease in Redis for as long as it uses
// it, renewing it well before it expires; a scratch whose lease is gone belongs to a worker that
// died mid-drill, and any worker may remove it. Several workers may share one engine, so
// "not mine" is never enough to remove one: only "nobody holds it".
import { createHash, randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'

export type ScratchLease = { release(): Promise<void> }

export type ScratchLeases = {
  /**
   * Whose leases these are (the installation's Redis prefix). Scratch copies carry it as a label,
   * and a sweep only ever looks at its own: two control planes may share an engine.
   */
  readonly owner: string
  /** Takes the lease on scratch `id` (before anything is created) and keeps it until released. */
  hold(id: string): Promise<ScratchLease>
  /** Whether a live worker holds the lease on scratch `id` right now. */
  held(id: string): Promise<boolean>
}

export const SCRATCH_LEASE_TTL_MS = 60_000

export function redisScratchLeases(redis: Redis, prefix: string, { ttlMs = SCRATCH_LEASE_TTL_MS } = {}): ScratchLeases {
  const key = (id: string) => `${prefix}:scratch-lease:${id}`
  return {
    owner: prefix,
    async hold(id) {
      const taken = await redis.set(key(id), String(process.pid), 'PX', ttlMs, 'NX')
      if (taken !== 'OK') throw new Error(`The scratch lease ${id} is already held: scratch ids are random, so this is a bug; retry the drill or restore.`)
      // Renewed three times per period: a missed renewal or two (a slow Redis) does not lose it.
      const timer = setInterval(() => {
        redis.pexpire(key(id), ttlMs).catch(() => undefined)
      }, Math.floor(ttlMs / 3))
      timer.unref()
      return {
        async release() {
          clearInterval(timer)
          await redis.del(key(id))
        },
      }
    },
    async held(id) {
      return (await redis.exists(key(id))) === 1
    },
  }
}

/** A new scratch id: 64 random bits, hex (names stay unique without asking anyone). */
export const newScratchId = (): string => randomBytes(8).toString('hex')

/**
 * A short tag of the owner for names that cannot carry labels (scratch databases, directories):
 * a sweep only ever matches its own tag.
 */
export const ownerTag = (owner: string): string => createHash('sha256').update(owner).digest('hex').slice(0, 8)

/** Runs `work` while holding the lease on `id` (when there are leases), giving it up afterwards. */
export async function whileLeased<T>(leases: ScratchLeases | undefined, id: string, work: () => Promise<T>): Promise<T> {
  const lease = await leases?.hold(id)
  try {
    return await work()
  } finally {
    await lease?.release().catch(() => undefined)
  }
}
