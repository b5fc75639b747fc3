// npm run bench:api — the deployments list with 100,000 deployment rows, 50 concurrent
// clients, through tRPC (/api/trpc/deployment.list) and REST (GET /api/v1/deployments), both
// with API-token auth, against the same query sent as raw SQL through pg (the floor).
// Each client reads the first page and follows the cursor for 3 more pages, repeatedly.
// Prints p50/p99 (target p99 < 50 ms) and the ratios to raw SQL. Scratch database and Redis
// prefix are dropped at the end. A benchmark, not a test: it prints, never asserts.
import '@/server/load-dotenv'
import { spawn } from 'node:child_process'
import pg from 'pg'
import { benchDatabase, fmtMs, sleep } from './bench-support'

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000)
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10) // × 4 pages per client
const ENVIRONMENTS = 20

// The same rows the service selects, keyset-paged on (requestedAt, id), as one SQL query.
const RAW_SQL = `SELECT d.id, d.number, d.kind, d.status, d."requestedAt", d."startedAt", d."finishedAt", d.outcome, d.reason,
       e.id AS "eId", e.name, e.slug, e.tier, r.id AS "rId", r.number AS "rNumber"
  FROM "Deployment" d JOIN "Environment" e ON e.id = d."environmentId" JOIN "Release" r ON r.id = d."releaseId"
 WHERE $1::text IS NULL OR (d."requestedAt", d.id) < (SELECT "requestedAt", id FROM "Deployment" WHERE id = $1)
 ORDER BY d."requestedAt" DESC, d.id DESC LIMIT 26`

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]

async function seed(url: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query(`INSERT INTO "User" (id, email, name, "passwordHash", role, "updatedAt") VALUES ('bench-admin', 'bench@example.test', 'Bench', 'x', 'ADMIN', now())`)
  await client.query(`
    INSERT INTO "Environment" (id, name, slug, tier, "dockerEndpoint", "updatedAt")
      SELECT 'env-' || g, 'Env ' || g, 'env-' || g, 'DEVELOPMENT', 'unix:///var/run/docker.sock', now() FROM generate_series(1, ${ENVIRONMENTS}) g;
    INSERT INTO "Stack" (id, "environmentId") SELECT 'stack-' || g, 'env-' || g FROM generate_series(1, ${ENVIRONMENTS}) g;
    INSERT INTO "StackVersion" (id, "stackId", version, "composeYaml") SELECT 'sv-' || g, 'stack-' || g, 1, 'services: {}' FROM generate_series(1, ${ENVIRONMENTS}) g;
    INSERT INTO "Release" (id, "environmentId", number, "stackVersionId", variables, plan, "planHash")
      SELECT 'rel-' || g, 'env-' || g, 1, 'sv-' || g, '{}', '{"services":[]}', repeat('0', 64) FROM generate_series(1, ${ENVIRONMENTS}) g;
  `)
  await client.query(`
    INSERT INTO "Deployment" (id, "environmentId", number, "releaseId", kind, status, "requestedAt", "startedAt", "finishedAt", diff, outcome)
      SELECT 'dep-' || lpad(g::text, 7, '0'), 'env-' || (g % ${ENVIRONMENTS} + 1), g / ${ENVIRONMENTS} + 1, 'rel-' || (g % ${ENVIRONMENTS} + 1),
             'DEPLOY', (CASE WHEN g % 10 = 0 THEN 'ROLLED_BACK' ELSE 'SUCCEEDED' END)::"DeploymentStatus",
             now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval + interval '20 seconds', '[]', NULL
      FROM generate_series(1, ${ROWS}) g
  `)
  await client.query('ANALYZE')
  await client.end()
}

/** 50 clients, each: first page then 3 cursor pages, ROUNDS times. Returns sorted latencies (ms). */
async function load(fetchPage: (cursor: string | null) => Promise<string | null>) {
  const latencies: number[] = []
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let r = 0; r < ROUNDS; r++) {
        let cursor: string | null = null
        for (let page = 0; page < 4; page++) {
          const t0 = performance.now()
          cursor = await fetchPage(cursor)
          latencies.push(performance.now() - t0)
        }
      }
    }),
  )
  return latencies.sort((a, b) => a - b)
}

async function main() {
  const bench = await benchDatabase('api')
  let server: ReturnType<typeof spawn> | undefined
  const pool = new pg.Pool({ connectionString: bench.url, max: 10 })
  try {
    const t0 = performance.now()
    await seed(bench.url)
    console.log(`seeded ${ROWS.toLocaleString('en')} deployments in ${fmtMs(performance.now() - t0)}`)

    const { createApiToken } = await import('@/server/modules/api-token/api-token.service')
    const { db, disconnectDb } = await import('@/server/db')
    const { token } = await createApiToken({ db: db() }, { id: 'bench-admin' }, { type: 'SYSTEM', id: null, label: 'bench' }, { name: 'bench', scopes: ['read'], expiresInDays: 1 })
    await disconnectDb()

    server = spawn('node_modules/.bin/tsx', ['scripts/bench/api-server.ts'], { env: { ...process.env, LOG_LEVEL: 'warn', BENCH_RAW_SQL: RAW_SQL }, stdio: ['ignore', 'pipe', 'inherit'], detached: true })
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      server!.stdout!.on('data', (c: Buffer) => {
        out += c.toString()
        const m = out.match(/LISTENING (\S+)/)
        if (m) resolve(m[1])
      })
      server!.once('exit', (code) => reject(new Error(`bench server exited (${code})`)))
      setTimeout(() => reject(new Error('bench server did not start within 60 s')), 60_000)
    })
    const headers = { authorization: `Bearer ${token}` }

    const rest = async (cursor: string | null) => {
      const res = await fetch(`${url}/api/v1/deployments?limit=25${cursor ? `&cursor=${cursor}` : ''}`, { headers })
      if (!res.ok) throw new Error(`REST ${res.status}: ${await res.text()}`)
      return ((await res.json()) as { nextCursor: string | null }).nextCursor
    }
    const trpc = async (cursor: string | null) => {
      const input = encodeURIComponent(JSON.stringify({ json: { limit: 25, ...(cursor && { cursor }) } }))
      const res = await fetch(`${url}/api/trpc/deployment.list?input=${input}`, { headers })
      if (!res.ok) throw new Error(`tRPC ${res.status}: ${await res.text()}`)
      return ((await res.json()) as { result: { data: { json: { nextCursor: string | null } } } }).result.data.json.nextCursor
    }
    const raw = async (cursor: string | null) => {
      const { rows } = await pool.query(RAW_SQL, [cursor])
      return rows.length > 25 ? (rows[24].id as string) : null
    }
    const rawHttp = async (cursor: string | null) => {
      const res = await fetch(`${url}/raw${cursor ? `?cursor=${cursor}` : ''}`)
      if (!res.ok) throw new Error(`raw HTTP ${res.status}: ${await res.text()}`)
      return ((await res.json()) as { nextCursor: string | null }).nextCursor
    }

    const paths = [['raw SQL', raw], ['raw SQL over HTTP', rawHttp], ['REST', rest], ['tRPC', trpc]] as const
    for (const [, fn] of paths) {
      for (let i = 0; i < 20; i++) await fn(null) // warm-up
      await sleep(200)
    }
    const results: Record<string, number[]> = {}
    for (const [name, fn] of paths) results[name] = await load(fn)
    const rawP50 = pct(results['raw SQL'], 50)
    const rawP99 = pct(results['raw SQL'], 99)
    console.log(`\ndeployments list, ${ROWS.toLocaleString('en')} rows, ${CLIENTS} concurrent clients, ${results.REST.length} requests each (page 1 + 3 cursor pages, 25 per page)`)
    console.log(`load average at the end: ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')} (${(await import('node:os')).cpus().length} cores)`)
    console.log('path                 p50        p99        p99 target   p50 / raw   p99 / raw')
    for (const [name] of paths) {
      const s = results[name]
      const p50 = pct(s, 50)
      const p99 = pct(s, 99)
      console.log(`${name.padEnd(20)} ${fmtMs(p50).padEnd(10)} ${fmtMs(p99).padEnd(10)} ${(name.startsWith('raw') ? '—' : p99 < 50 ? '< 50 ms ✓' : '< 50 ms ✗').padEnd(12)} ${(p50 / rawP50).toFixed(2).padEnd(11)} ${(p99 / rawP99).toFixed(2)}`)
    }
  } finally {
    if (server?.pid) {
      try {
        process.kill(-server.pid, 'SIGTERM')
      } catch {
        /* already gone */
      }
      await sleep(300)
    }
    await pool.end()
    await bench.drop()
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
