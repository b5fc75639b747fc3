// End-to-end harness: a fresh database, the first admin (one-time password captured), the
// built web app (`next start`) and the real worker, then Playwright in Debian Chromium.
// Everything it starts is stopped and dropped afterwards, whatever the outcome.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, existsSync, mkdirSync } from 'node:fs'
import pg from 'pg'
import { ensureFixtureImages } from '../test/docker-fixtures'
import { deleteRedisPrefix } from '../test/redis-cleanup'

const PORT = Number(process.env.E2E_PORT ?? 3210)
const WORKER_PORT = Number(process.env.E2E_WORKER_PORT ?? 3211)
// Separate build and result folders let two e2e runs (different ports) go at once.
const DIST_DIR = process.env.NEXT_DIST_DIR ?? '.next'
const RESULTS_DIR = process.env.E2E_RESULTS_DIR ?? 'test-results'
const BASE_URL = `http://127.0.0.1:${PORT}`
const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
const dbName = `traider_e2e_${suffix}`
const redisPrefix = `traider-e2e-${suffix}`
const databaseUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${dbName}` }).toString()

const children: ChildProcess[] = []
const log = (msg: string) => console.log(`[e2e] ${msg}`)

const appEnv: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'production' as const,
  NEXT_TELEMETRY_DISABLED: '1',
  DATABASE_URL: databaseUrl,
  REDIS_URL,
  REDIS_PREFIX: redisPrefix,
  NEXTAUTH_URL: BASE_URL,
  NEXTAUTH_SECRET: randomBytes(32).toString('base64'),
  NEXT_DIST_DIR: DIST_DIR,
  SECRETS_MASTER_KEY: randomBytes(32).toString('base64'),
  PORT: String(PORT),
  WORKER_HEALTH_PORT: String(WORKER_PORT),
  ADMIN_EMAIL: 'admin@e2e.test',
  ADMIN_PASSWORD: '',
  LOG_LEVEL: 'info',
}

function start(name: string, command: string, args: string[]) {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const out = createWriteStream(`${RESULTS_DIR}/e2e-${name}.log`)
  // Own process group, so stopping it also stops what npx started (next-server, tsx's node).
  const child = spawn(command, args, { env: appEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  child.stdout?.pipe(out)
  child.stderr?.pipe(out)
  children.push(child)
  return child
}

async function waitFor(url: string, what: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      if (res.ok) return
      last = `HTTP ${res.status}`
    } catch (error) {
      last = (error as Error).message
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`${what} did not become ready at ${url} within ${timeoutMs / 1000} s (last: ${last}); see ${RESULTS_DIR}/e2e-*.log`)
}

async function stopAll() {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          const signalGroup = (signal: NodeJS.Signals) => {
            try {
              process.kill(-child.pid!, signal)
            } catch {
              // already gone
            }
          }
          const force = setTimeout(() => signalGroup('SIGKILL'), 10_000)
          child.once('exit', () => {
            clearTimeout(force)
            // The group leader may exit before its children: make sure none is left.
            signalGroup('SIGKILL')
            resolve()
          })
          signalGroup('SIGTERM')
        }),
    ),
  )
}

async function cleanup(admin: pg.Client) {
  await stopAll()
  if (!process.env.KEEP_TEST_DB) await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => {})
  await admin.end()
  await deleteRedisPrefix(REDIS_URL, redisPrefix)
}

async function assertPortFree(port: number) {
  const { createServer } = await import('node:net')
  await new Promise<void>((resolve, reject) => {
    const server = createServer()
    server.once('error', () => reject(new Error(`port ${port} is in use (a previous run left a server?): free it or set E2E_PORT/E2E_WORKER_PORT`)))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()))
  })
}

async function main() {
  await assertPortFree(PORT)
  await assertPortFree(WORKER_PORT)
  const admin = new pg.Client({ connectionString: ADMIN_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${dbName}"`)
  let exitCode = 1
  try {
    execFileSync('npx', ['prisma', 'migrate', 'deploy'], { env: appEnv, stdio: 'ignore' })
    const bootstrap = JSON.parse(execFileSync('npx', ['tsx', 'scripts/bootstrap-admin.ts', '--json'], { env: appEnv }).toString().trim().split('\n').pop()!)
    if (!bootstrap.created || !bootstrap.oneTimePassword) throw new Error(`first admin not created: ${JSON.stringify({ ...bootstrap, oneTimePassword: undefined })}`)

    // Local stand-in images for deploy tests (no registry here); a no-op when already built.
    await ensureFixtureImages()
    if (!process.env.E2E_SKIP_BUILD || !existsSync(`${DIST_DIR}/BUILD_ID`)) {
      log('building the app (next build)…')
      execFileSync('npx', ['next', 'build'], { env: appEnv, stdio: ['ignore', 'ignore', 'inherit'] })
    }
    // The worker runs as production runs it: bundled, under plain node (scripts/build-worker.mjs).
    const workerBundle = `${DIST_DIR}/worker/main.mjs`
    execFileSync('node', ['scripts/build-worker.mjs', workerBundle], { stdio: ['ignore', 'ignore', 'inherit'] })
    log(`starting web on ${BASE_URL} and the worker (health :${WORKER_PORT}), database ${dbName}`)
    start('web', 'npx', ['next', 'start', '-p', String(PORT), '-H', '127.0.0.1'])
    start('worker', 'node', [workerBundle])
    await Promise.all([waitFor(`${BASE_URL}/api/ready`, 'web app'), waitFor(`http://127.0.0.1:${WORKER_PORT}/healthz`, 'worker')])

    const args = ['playwright', 'test', ...process.argv.slice(2)]
    exitCode = await new Promise<number>((resolve) => {
      const pw = spawn('npx', args, {
        stdio: 'inherit',
        env: {
          ...process.env,
          E2E_BASE_URL: BASE_URL,
          E2E_ADMIN_EMAIL: bootstrap.email,
          E2E_ADMIN_PASSWORD: bootstrap.oneTimePassword,
          E2E_DATABASE_URL: databaseUrl,
          E2E_RESULTS_DIR: RESULTS_DIR,
        },
      })
      pw.on('exit', (code) => resolve(code ?? 1))
    })
  } catch (error) {
    console.error(`[e2e] ${(error as Error).message}`)
  } finally {
    await cleanup(admin)
  }
  process.exit(exitCode)
}

main()
