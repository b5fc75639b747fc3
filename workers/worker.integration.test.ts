// The real worker process (tsx workers/main.ts) against this run's Postgres, Redis and the
// local Docker engine: health endpoint, checks run end to end, stranded checks, clean SIGTERM.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Queue } from 'bullmq'
import { closedPort, freePort } from '@/test/net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { bullJobQueue, bullPrefix, closeQueues, DEFAULT_JOB_OPTIONS, QUEUE_NAMES } from '@/server/infra/queues'
import { createBullConnection } from '@/server/infra/redis'
import { dockerCli, ensureFixtureImages, removeContainersByLabel, runDockerCli } from '@/test/docker-fixtures'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx')

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `probe` until it returns a value, at most `tries` times and `ms` overall. */
async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, { ms = 30_000, every = 250 } = {}): Promise<T> {
  const deadline = Date.now() + ms
  const tries = Math.ceil(ms / every)
  for (let i = 0; i < tries && Date.now() < deadline; i++) {
    const value = await probe()
    if (value !== undefined) return value
    if (worker.exitCode !== null || worker.signalCode !== null) break
    await sleep(every)
  }
  throw new Error(`Timed out waiting for ${what}. Worker output:\n${output.slice(-4000)}`)
}

async function healthz(port: number, pathname = '/healthz'): Promise<{ status: number; body: unknown } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${pathname}`, { signal: AbortSignal.timeout(2_000) })
    return { status: res.status, body: await res.json() }
  } catch {
    return undefined // not listening yet: the caller polls, bounded
  }
}

const createdEnvironmentIds: string[] = []
async function environmentWithQueuedCheck(dockerEndpoint: string) {
  const slug = `wk-${randomBytes(4).toString('hex')}`
  const environment = await db().environment.create({ data: { name: slug, slug, tier: 'DEVELOPMENT', dockerEndpoint } })
  createdEnvironmentIds.push(environment.id)
  const check = await db().environmentCheck.create({ data: { environmentId: environment.id } })
  return check.id
}

const finishedCheck = (checkId: string) =>
  pollUntil(`check ${checkId} to finish`, async () => {
    const row = await db().environmentCheck.findUniqueOrThrow({ where: { id: checkId } })
    return row.status === 'QUEUED' ? undefined : row
  })

let worker: ChildProcess
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
let output = ''
let healthPort: number
let strandedCheckId: string
const leftoverScratch = `wk-scratch-${randomBytes(4).toString('hex')}`
const TEST_LABEL = `traider.test=${leftoverScratch}`

beforeAll(async () => {
  // Inserted before the worker exists and never enqueued: only the start-up re-queue can run it.
  strandedCheckId = await environmentWithQueuedCheck('unix:///var/run/docker.sock')
  // A scratch copy a worker of this installation left when it died mid-drill (nobody holds its lease),
  // on the engine of an environment that backs up a database in a container.
  const env = await db().environment.findFirstOrThrow({ where: { id: createdEnvironmentIds[0] } })
  await db().backupConfig.create({ data: { environmentId: env.id, location: 'CONTAINER', service: 'postgres', database: 'traider', retentionDays: 30, keepFulls: 1 } })
  await ensureFixtureImages()
  const labels = [`traider.scratch=${leftoverScratch}`, `traider.scratch.owner=${bullPrefix()}`, TEST_LABEL].flatMap((l) => ['--label', l])
  await dockerCli(['volume', 'create', ...labels, leftoverScratch])
  await dockerCli(['create', '--name', leftoverScratch, ...labels, '-v', `${leftoverScratch}:/data`, '--network', 'none', 'traider-fixture:db'])
  healthPort = await freePort()
  worker = spawn(TSX, ['workers/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      REDIS_PREFIX: process.env.REDIS_PREFIX,
      WORKER_HEALTH_PORT: String(healthPort),
      DOCKER_DEFAULT_ENDPOINT: 'unix:///var/run/docker.sock',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  worker.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  worker.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  exited = new Promise((resolve) => worker.once('exit', (code, signal) => resolve({ code, signal })))
  await pollUntil('GET /healthz to answer 200', async () => ((await healthz(healthPort))?.status === 200 ? true : undefined))
})

afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    worker.kill('SIGKILL')
    await exited
  }
  await db().environment.deleteMany({ where: { id: { in: createdEnvironmentIds } } })
  await removeContainersByLabel(TEST_LABEL)
  await runDockerCli(['volume', 'rm', '-f', leftoverScratch])
  await closeQueues()
  await disconnectDb()
})

describe('worker process', () => {
  it('serves /healthz while running, and 404 elsewhere', async () => {
    expect(await healthz(healthPort)).toEqual({ status: 200, body: { status: 'ok', worker: 'running' } })
    expect((await healthz(healthPort, '/nope'))?.status).toBe(404)
  })

  it('runs a check that was QUEUED before it started (re-queued at start)', async () => {
    const row = await finishedCheck(strandedCheckId)
    expect(row.status).toBe('OK')
    expect(output).toContain('Re-queued environment checks left QUEUED')
  })

  it('removes the scratch copies a dead worker of this installation left, at start', async () => {
    const gone = async (kind: 'container' | 'volume') => (await runDockerCli([kind, 'inspect', leftoverScratch])).code !== 0
    await pollUntil('the leftover scratch to be removed', async () => ((await gone('container')) && (await gone('volume')) ? true : undefined))
    expect(output).toContain(`Removed what an interrupted drill or restore left on unix:///var/run/docker.sock: container ${leftoverScratch}, volume ${leftoverScratch}`)
  })

  it('records the local engine facts for a queued check', async () => {
    const checkId = await environmentWithQueuedCheck('unix:///var/run/docker.sock')
    await bullJobQueue.enqueueEnvironmentCheck(checkId)
    const row = await finishedCheck(checkId)
    expect(row.error).toBeNull()
    expect(row.status).toBe('OK')
    expect(row.cpus).toBeGreaterThan(0)
    expect(row.dockerVersion).toBe(
      execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 20_000 }).trim(),
    )
    expect(row.memoryBytes).toBeGreaterThan(0n)
    expect(row.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('records ERROR in words for an engine that refuses the connection', async () => {
    const port = await closedPort()
    const checkId = await environmentWithQueuedCheck(`tcp://127.0.0.1:${port}`)
    await bullJobQueue.enqueueEnvironmentCheck(checkId)
    const row = await finishedCheck(checkId)
    expect(row.status).toBe('ERROR')
    expect(row.error).toContain(`Cannot reach the Docker engine at tcp://127.0.0.1:${port}: connection refused (ECONNREFUSED).`)
    expect(row.dockerVersion).toBeNull()
  })

  it('fails a job with an unreadable payload once, without retrying it', async () => {
    // bullJobQueue only writes valid payloads: a raw queue plays a producer with a newer schema.
    const connection = createBullConnection('queue')
    const raw = new Queue(QUEUE_NAMES.environmentCheck, { connection, prefix: bullPrefix() })
    try {
      const added = await raw.add('check', { v: 2, checkId: 'from-the-future' }, DEFAULT_JOB_OPTIONS)
      // The state first, then the job: a job read before it failed would show attemptsMade 0.
      const failed = await pollUntil('the bad job to fail', async () => ((await raw.getJobState(added.id!)) === 'failed' ? raw.getJob(added.id!) : undefined))
      expect(failed?.attemptsMade).toBe(1)
      expect(failed?.failedReason).toContain('has an unreadable payload')
    } finally {
      await raw.close()
      await connection.quit()
    }
  })

  it('exits 0 within 10 s of SIGTERM', async () => {
    worker.kill('SIGTERM')
    const result = await Promise.race([exited, sleep(10_000).then(() => 'still running' as const)])
    expect(result, output.slice(-2000)).toEqual({ code: 0, signal: null })
    expect(output).toContain('Worker stopped cleanly')
    expect(await healthz(healthPort)).toBeUndefined()
  })
})
