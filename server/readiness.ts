// Can this process do its work? Each dependency is probed with a short timeout and
// reported by name, so an operator knows which one to fix.
import { db } from './db'
import { redis } from './infra/redis'

type Probe = { ok: true; ms: number } | { ok: false; ms: number; error: string }

async function probe(fn: () => Promise<unknown>, timeoutMs = 2_000): Promise<Probe> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
      }),
    ])
    return { ok: true, ms: Math.round(performance.now() - started) }
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), error: (error as Error).message }
  } finally {
    clearTimeout(timer)
  }
}

export async function checkReadiness() {
  const [postgres, redisProbe] = await Promise.all([probe(() => db().$queryRaw`SELECT 1`), probe(() => redis().ping())])
  return { ready: postgres.ok && redisProbe.ok, checks: { postgres, redis: redisProbe } }
}
