// npm run bench:api — the deployments list with 100,000 deployment rows, 50 concurrent
// clients, through tRPC (/api/trpc/deployment.list) and REST (GET /api/v1/deployments), both
// with API-token auth, against the same query as raw SQL through pg (the floor) and the same
// raw SQL behind the same node:http server (the HTTP floor). The server is bundled and runs
// under plain node in production mode; clients use keep-alive node:http connections.
// Each client reads the first page and follows the cursor for 3 more pages, repeatedly.
// Prints p50/p99 (target p99 < 50 ms), throughput, CPU per request and the ratios to raw SQL.
// Scratch database and Redis prefix are dropped at the end. A benchmark: it prints, never asserts.
// BENCH_ROWS, BENCH_CLIENTS, BENCH_ROUNDS tune it; BENCH_CPU_PROF=<dir> profiles the server.
import '@/server/load-dotenv'
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import pg from 'pg'
import { benchDatabase, bundleForNode, fmtMs, sleep } from './bench-support'

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000)
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10) // × 4 pages per client
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF
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

// One keep-alive connection per client, as a real API client (or a pool of them) holds.
// node:http costs the load generator a fraction of what fetch does, so it does not set the pace.
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS, maxFreeSockets: CLIENTS })

function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString()
          if (res.statusCode !== 200) reject(new Error(`GET ${url.replace(/\?.*/, '')} → ${res.statusCode}: ${text}`))
          else resolve(JSON.parse(text) as T)
        })
        res.on('error', reject)
      })
      .on('error', reject)
  })
}

/** Busy and total CPU time of the whole machine (ms), from os.cpus(). */
function machineCpu() {
  let busy = 0
  let total = 0
  for (const { times } of os.cpus()) {
    busy += times.user + times.nice + times.sys + times.irq
    total += times.user + times.nice + times.sys + times.irq + times.idle
  }
  return { busy, total }
}

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100
  } catch {
    return 100
  }
})()

/** CPU (ms) of each PostgreSQL backend serving the bench database, read from /proc (same host only). */
async function postgresCpu(pool: pg.Pool): Promise<Map<number, number> | null> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')
  const cpu = new Map<number, number>()
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
      cpu.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND) // utime + stime
    } catch {
      return null // PostgreSQL runs elsewhere (or exited): no figure rather than a wrong one
    }
  }
  return cpu
}

/** Backends that exited during the run were idle (their pool closed them): counting what the others used is enough. */
function postgresCpuDelta(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null
  let ms = 0
  for (const [pid, used] of after) ms += used - (before.get(pid) ?? 0)
  return ms
}

type PathResult = { sorted: number[]; seconds: number; machineBusyMs: number; machineUtil: number; serverCpuMs: number; loaderCpuMs: number; postgresCpuMs: number | null }

/** CLIENTS clients, each: first page then 3 cursor pages, ROUNDS times. */
async function load(fetchPage: (cursor: string | null) => Promise<string | null>, serverCpu: () => Promise<number>, pool: pg.Pool): Promise<PathResult> {
  const latencies: number[] = []
  const p0 = await postgresCpu(pool)
  const [m0, s0, l0, t0] = [machineCpu(), await serverCpu(), process.cpuUsage(), performance.now()]
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let r = 0; r < ROUNDS; r++) {
        let cursor: string | null = null
        for (let page = 0; page < 4; page++) {
          const started = performance.now()
          cursor = await fetchPage(cursor)
          latencies.push(performance.now() - started)
        }
      }
    }),
  )
  const [m1, l1, t1] = [machineCpu(), process.cpuUsage(l0), performance.now()]
  const s1 = await serverCpu()
  const p1 = await postgresCpu(pool)
  return {
    sorted: latencies.sort((a, b) => a - b),
    seconds: (t1 - t0) / 1000,
    machineBusyMs: m1.busy - m0.busy,
    machineUtil: (m1.busy - m0.busy) / (m1.total - m0.total),
    serverCpuMs: (s1 - s0) / 1000,
    loaderCpuMs: (l1.user + l1.system) / 1000,
    postgresCpuMs: postgresCpuDelta(p0, p1),
  }
}

async function startServer(env: NodeJS.ProcessEnv) {
  const bundle = await bundleForNode('scripts/bench/api-server.ts', 'dist/bench-api-server.mjs')
  const nodeArgs = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []
  const server = spawn(process.execPath, [...nodeArgs, bundle], { env, stdio: ['ignore', 'pipe', 'inherit'], detached: true })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    server.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      const m = out.match(/LISTENING (\S+)/)
      if (m) resolve(m[1])
    })
    server.once('exit', (code) => reject(new Error(`bench server exited (${code}): see its output above`)))
    setTimeout(() => reject(new Error('bench server did not start within 60 s: run `node dist/bench-api-server.mjs` to see why')), 60_000)
  })
  return { server, url }
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

    // As production runs: NODE_ENV=production, which refuses to start without these two secrets.
    const started = await startServer({
      ...process.env,
      NODE_ENV: 'production',
      NEXTAUTH_SECRET: 'bench-'.padEnd(40, 'x'),
      SECRETS_MASTER_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'warn',
      BENCH_RAW_SQL: RAW_SQL,
    })
    server = started.server
    const { url } = started
    const headers = { authorization: `Bearer ${token}` }
    const serverCpu = async () => {
      const { user, system } = await getJson<{ user: number; system: number }>(`${url}/bench/cpu`)
      return user + system
    }

    const rest = async (cursor: string | null) =>
      (await getJson<{ nextCursor: string | null }>(`${url}/api/v1/deployments?limit=25${cursor ? `&cursor=${cursor}` : ''}`, headers)).nextCursor
    const trpc = async (cursor: string | null) => {
      const input = encodeURIComponent(JSON.stringify({ json: { limit: 25, ...(cursor && { cursor }) } }))
      return (await getJson<{ result: { data: { json: { nextCursor: string | null } } } }>(`${url}/api/trpc/deployment.list?input=${input}`, headers)).result.data.json.nextCursor
    }
    const raw = async (cursor: string | null) => {
      const { rows } = await pool.query(RAW_SQL, [cursor])
      return rows.length > 25 ? (rows[24].id as string) : null
    }
    const rawHttp = async (cursor: string | null) => (await getJson<{ nextCursor: string | null }>(`${url}/raw${cursor ? `?cursor=${cursor}` : ''}`)).nextCursor

    const paths = [['raw SQL', raw], ['raw SQL over HTTP', rawHttp], ['REST', rest], ['tRPC', trpc]] as const
    for (const [, fn] of paths) {
      // Warm-up: every connection opened, the JIT settled, caches filled.
      await Promise.all(Array.from({ length: CLIENTS }, async () => { for (let i = 0; i < 8; i++) await fn(i % 2 ? 'dep-0000100' : null) }))
      await sleep(200)
    }
    const results: Record<string, PathResult> = {}
    for (const [name, fn] of paths) {
      results[name] = await load(fn, serverCpu, pool)
      await sleep(500)
    }
    const rawP50 = pct(results['raw SQL'].sorted, 50)
    const rawP99 = pct(results['raw SQL'].sorted, 99)
    console.log(`\ndeployments list, ${ROWS.toLocaleString('en')} rows, ${CLIENTS} concurrent clients, ${results.REST.sorted.length} requests per path (page 1 + 3 cursor pages, 25 per page)`)
    console.log(`load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (${os.cpus().length} cores)`)
    console.log('path                 p50      p99      p99 target   p50/raw  p99/raw  req/s   │ CPU ms per request: server  postgres  client  sum    machine')
    const cores = os.cpus().length
    for (const [name] of paths) {
      const r = results[name]
      const n = r.sorted.length
      const [p50, p99] = [pct(r.sorted, 50), pct(r.sorted, 99)]
      const target = name.startsWith('raw') ? '—' : p99 < 50 ? '< 50 ms ✓' : '< 50 ms ✗'
      const server = name === 'raw SQL' ? 0 : r.serverCpuMs / n
      const postgres = r.postgresCpuMs === null ? null : r.postgresCpuMs / n
      const sum = server + (postgres ?? 0) + r.loaderCpuMs / n
      const f = (ms: number | null, width: number) => (ms === null ? '—' : ms.toFixed(2)).padStart(width)
      console.log(
        `${name.padEnd(20)} ${fmtMs(p50).padEnd(8)} ${fmtMs(p99).padEnd(8)} ${target.padEnd(12)} ${(p50 / rawP50).toFixed(2).padEnd(8)} ${(p99 / rawP99).toFixed(2).padEnd(8)} ${String(Math.round(n / r.seconds)).padEnd(7)} │ ${' '.repeat(19)}${name === 'raw SQL' ? '     —' : f(server, 6)}  ${f(postgres, 8)}  ${f(r.loaderCpuMs / n, 6)}  ${f(sum, 5)}  ${f(r.machineBusyMs / n, 7)}`,
      )
    }
    console.log('(machine: every process on the host, other people\'s included; sum: this bench\'s processes only, Redis not counted)')
    // Little's law for a closed loop: mean latency = clients / throughput, whatever the code does.
    // Throughput is capped by CPU: cores × 1000 ms / (CPU ms per request), even on an idle machine.
    console.log(`\nclosed loop: mean latency = ${CLIENTS} clients / throughput. A p99 under 50 ms needs a mean of about 35 ms or less: ${Math.round(CLIENTS / 0.035)} req/s or more,`)
    console.log(`i.e. at most ${((cores * 1000) / (CLIENTS / 0.035)).toFixed(2)} ms of CPU per request on ${cores} cores for server, PostgreSQL and client together.`)
    console.log('Best case: all cores doing only this, at the CPU per request measured above (which a busy machine inflates), and one core at most for the one-process server.')
    for (const [name] of paths) {
      const r = results[name]
      const n = r.sorted.length
      const sum = (name === 'raw SQL' ? 0 : r.serverCpuMs) / n + (r.postgresCpuMs ?? 0) / n + r.loaderCpuMs / n
      // The server is one Node process: it alone can use at most one core.
      const serverCap = name === 'raw SQL' ? Infinity : 1000 / (r.serverCpuMs / n)
      const cap = Math.min((cores * 1000) / sum, serverCap)
      console.log(
        `  ${name.padEnd(20)} measured ${CLIENTS} / ${Math.round(n / r.seconds)} req/s = ${((CLIENTS / (n / r.seconds)) * 1000).toFixed(1)} ms mean (machine ${(r.machineUtil * 100).toFixed(0)} % busy); ` +
          `CPU-bound best case ≈ ${Math.round(cap)} req/s → mean ≥ ${((CLIENTS / cap) * 1000).toFixed(1)} ms`,
      )
    }
  } finally {
    if (server?.pid) {
      try {
        process.kill(-server.pid, 'SIGTERM')
      } catch {
        /* already gone */
      }
      await sleep(CPU_PROF_DIR ? 2000 : 300)
    }
    agent.destroy()
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
