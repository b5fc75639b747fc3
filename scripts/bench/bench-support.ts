// Shared pieces of the benchmarks: a throwaway database and Redis prefix, medians, a bundler
// for bench servers, and a raw Docker Engine API client over the unix socket (the "floor").
import { execFile, execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import { promisify } from 'node:util'
import pg from 'pg'
import { deleteRedisPrefix } from '../../test/redis-cleanup'

export const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** A fresh migrated database and Redis prefix; sets DATABASE_URL/REDIS_PREFIX for this process. */
export async function benchDatabase(label: string) {
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const name = `traider_bench_${label}_${suffix}`
  const admin = new pg.Client({ connectionString: ADMIN_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${name}"`)
  const url = Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString()
  execFileSync('npx', ['prisma', 'migrate', 'deploy'], { env: { ...process.env, DATABASE_URL: url }, stdio: 'ignore' })
  const redisPrefix = `traider-bench-${suffix}`
  process.env.DATABASE_URL = url
  process.env.REDIS_PREFIX = redisPrefix
  process.env.REDIS_URL = REDIS_URL
  return {
    url,
    redisPrefix,
    async drop() {
      // A pool we cannot reach (the Prisma adapter's) may still hold idle connections that the
      // forced drop terminates: that is expected here, not a failure of the benchmark.
      process.on('uncaughtException', (error) => {
        if ((error as { code?: string }).code !== '57P01') throw error
      })
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await admin.end()
      await deleteRedisPrefix(REDIS_URL, redisPrefix)
    },
  }
}

/** One Docker Engine API call over /var/run/docker.sock, no library in between. */
export function dockerApi<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    const req = http.request(
      {
        socketPath: '/var/run/docker.sock',
        method,
        path: `/v1.41${path}`,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString()
          resolve({ status: res.statusCode ?? 0, json: (text ? JSON.parse(text) : null) as T })
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)))
    req.on('error', reject)
    if (payload) req.write(payload)
    req.end()
  })
}

/**
 * Bundles a bench server (`entry` and what it imports from this repo) into one ES module under
 * dist/ with the worker's bundler (scripts/build-worker.mjs), so it runs under plain `node` as
 * production does.
 */
export async function bundleForNode(entry: string, outfile: string): Promise<string> {
  await promisify(execFile)(process.execPath, ['scripts/build-worker.mjs', outfile, entry])
  return outfile
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function fmtMs(ms: number) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`
}
