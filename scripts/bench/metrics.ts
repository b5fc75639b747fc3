// npm run bench:metrics — GET /api/metrics (the web route handler, served over loopback HTTP)
// with 50 environments, each with 20 backups, in a throwaway database:
//  1. the route as Prometheus sees it: every scrape also starts a refresh of the state
//     snapshot in the background (scrape interval > the 5 s refresh age)        target p99 < 20 ms
//  2. the real route handler scraped back to back (5 s refresh age)
//  3. reference: the scrape waits for a fresh snapshot (Postgres + Redis) every time
// Medians and p99 of BENCH_SCRAPES scrapes (default 200), 300 ms apart. Benchmarks print, never assert.
import '@/server/load-dotenv'
import { benchDatabase, median } from './bench-support'

const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 200)
const ENVIRONMENTS = 50
const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(values.length * 0.99) - 1)]
const ms = (v: number) => `${v.toFixed(2)} ms`

async function main() {
  const bench = await benchDatabase('metrics')
  const { db, disconnectDb } = await import('@/server/db')
  const { closeQueues, QUEUE_NAMES } = await import('@/server/infra/queues')
  const { closeRedis } = await import('@/server/infra/redis')
  const { serveRoute } = await import('../../test/serve-route')
  const { controlMetrics } = await import('@/server/modules/observability/metrics')
  const { registerStateMetrics } = await import('@/server/modules/observability/metrics-state')
  const { controlPlaneStateSource } = await import('@/server/modules/observability/state-source')
  const { AUDIT_VERIFY_QUEUE } = await import('@/server/modules/audit/audit-verify-schedule')
  const { audit, SYSTEM_ACTOR } = await import('@/server/modules/audit/audit')
  const { Registry } = await import('prom-client')
  try {
    for (let i = 0; i < ENVIRONMENTS; i++) {
      const env = await db().environment.create({ data: { name: `Bench ${i}`, slug: `bench-${i}`, tier: i % 3 === 0 ? 'PRODUCTION' : 'STAGING', dockerEndpoint: 'unix:///var/run/docker.sock' } })
      await db().$executeRaw`
        INSERT INTO "Backup" (id, "environmentId", engine, kind, trigger, status, "startedAt", "finishedAt", verified, "verifiedAt")
        SELECT md5(random()::text), ${env.id}, 'PG_DUMP', 'LOGICAL', 'SCHEDULE',
               (CASE WHEN n % 7 = 0 THEN 'FAILED' ELSE 'SUCCEEDED' END)::"BackupStatus",
               now() - n * interval '1 hour', now() - n * interval '1 hour' + interval '1 minute',
               (n % 5 <> 0), now() - n * interval '1 hour'
        FROM generate_series(1, 20) AS n`
    }
    await audit(db(), SYSTEM_ACTOR, { action: 'audit.verify', summary: { checked: 1 } })

    const sources = () => controlPlaneStateSource({ db: db(), queueNames: [...Object.values(QUEUE_NAMES), AUDIT_VERIFY_QUEUE] })
    const web = controlMetrics('web')
    const serveWith = async (options: { ttlMs: number; maxStaleMs: number }) => {
      const state = new Registry()
      registerStateMetrics(state, sources(), options)
      return serveRoute(async () => new Response((await web.registry.metrics()) + (await state.metrics()), { headers: { 'content-type': web.registry.contentType } }))
    }
    // 1. Refresh after every scrape (background), as with a 15 s scrape interval.
    const refreshing = await serveWith({ ttlMs: 0, maxStaleMs: 60_000 })
    // 3. Wait for a fresh snapshot every time.
    const synchronous = await serveWith({ ttlMs: 0, maxStaleMs: 0 })
    // 2. The real route handler (token/allowlist check, request metrics, 5 s refresh age).
    const { GET } = await import('@/app/api/metrics/route')
    const routeServer = await serveRoute(GET)

    const time = async (url: string) => {
      const started = performance.now()
      const response = await fetch(url)
      const text = await response.text()
      if (!response.ok || !text.includes('traider_control_backup_last_success_timestamp_seconds{environment="bench-49"')) throw new Error(`unexpected scrape: ${response.status} ${text.slice(0, 200)}`)
      return performance.now() - started
    }
    const series = async (url: string) => {
      for (let i = 0; i < 20; i++) await time(url)
      const out: number[] = []
      for (let i = 0; i < SCRAPES; i++) {
        out.push(await time(url))
        // Scrapes are spaced out: the background refresh overlaps the gap, as between real scrapes.
        await new Promise((r) => setTimeout(r, 300))
      }
      return out
    }
    const withRefresh = await series(`${refreshing.url}/`)
    const route = await series(`${routeServer.url}/api/metrics`)
    const fresh = await series(`${synchronous.url}/`)
    const size = (await (await fetch(`${routeServer.url}/api/metrics`)).text()).length
    for (const server of [refreshing, synchronous, routeServer]) await server.close()
    const { loadavg } = await import('node:os')

    console.log(`\nbench:metrics — ${SCRAPES} scrapes each, ${ENVIRONMENTS} environments × 20 backups, exposition ${(size / 1024).toFixed(0)} KiB, load average ${loadavg()[0].toFixed(1)}`)
    const rows = [
      ['/api/metrics, snapshot refreshed after every scrape', withRefresh, 'p99 < 20 ms'],
      ['/api/metrics route handler, back to back', route, ''],
      ['reference: scrape waits for a fresh snapshot', fresh, ''],
    ] as const
    console.log(`${'measure'.padEnd(52)} ${'median'.padStart(10)} ${'p99'.padStart(10)}   target`)
    for (const [what, values, target] of rows) console.log(`${what.padEnd(52)} ${ms(median([...values])).padStart(10)} ${ms(p99([...values])).padStart(10)}   ${target}`)
  } finally {
    await closeQueues()
    await closeRedis()
    await disconnectDb()
    await bench.drop()
  }
}

await main()
process.exit(0)
