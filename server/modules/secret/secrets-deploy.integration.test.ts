// Secrets through the real deploy engine on the real Docker engine: preflight refuses a missing
// and an empty secret with the containers untouched; a deploy injects a file (/run/secrets) and
// a variable the container sees; a rotation replaces the container; and the leak test: after a
// deploy run by a real worker process, the value appears in no Postgres column, no Redis key or
// value under the run's prefix, neither worker log, and no deployment log line.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { env } from '@/server/env'
import { dockerStackRuntime } from '@/server/infra/docker-stack-runtime'
import { embeddedSecretStore } from '@/server/infra/embedded-secret-store'
import { bullJobQueue } from '@/server/infra/queues'
import { closeRedis } from '@/server/infra/redis'
import { STACK_LABELS } from '@/server/infra/service-spec-to-docker'
import { requestDeployment } from '@/server/modules/deployment/deployment.service'
import { deploy, makeDeployEnvironment, projectContainers, removeProject, serving, TEST_ACTOR, webStack } from '@/test/deploy-harness'
import { dockerCli, ensureFixtureImages } from '@/test/docker-fixtures'
import { freePort } from '@/test/net'

const by = { id: null, label: 'secrets-deploy-test' }
const SECRETS = `
    secrets:
      - db_password
      - source: api_key
        x-traider: { env: API_KEY }
secrets:
  db_password:
    x-traider: { secret: db-password }
  api_key:
    x-traider: { secret: api-key }`

const projects: string[] = []
async function environment() {
  const made = await makeDeployEnvironment((port) => webStack(port, SECRETS))
  projects.push(made.project)
  return { ...made, store: embeddedSecretStore(db(), made.environment.id) }
}
const newValue = (label: string) => `${label}-${randomBytes(16).toString('hex')}`

beforeAll(async () => {
  await ensureFixtureImages()
}, 120_000)
afterEach(async () => {
  for (const p of projects.splice(0)) {
    await removeProject(p)
    // removeProject uses the docker CLI, not the runtime: clear this project's secret files too.
    for (const dir of existsSync(env().SECRETS_RUNTIME_DIR) ? readdirSync(env().SECRETS_RUNTIME_DIR) : []) {
      if (dir.startsWith(`${p}-`)) rmSync(`${env().SECRETS_RUNTIME_DIR}/${dir}`, { recursive: true, force: true })
    }
  }
})
afterAll(async () => {
  await closeRedis()
  await disconnectDb()
})

describe('preflight refuses missing and empty secrets, changing nothing', () => {
  it('names the secret, the service and what to do; the running container stays', async () => {
    const env1 = await environment()
    await env1.store.write('db-password', newValue('db'), by)
    await env1.store.write('api-key', newValue('api'), by)
    const first = await deploy(env1.environment.id, { WEB_TAG: 'v1' })
    expect(first.status).toBe('SUCCEEDED')
    const before = await projectContainers(env1.project)

    await env1.store.delete('db-password', by)
    const missing = await deploy(env1.environment.id, { WEB_TAG: 'v2' })
    expect(missing.status).toBe('FAILED')
    expect(missing.deployment.steps.map((s) => s.name)).toEqual(['preflight'])
    expect(missing.deployment.outcome).toContain('secret "db-password" (used by "web") is missing from the embedded store: set it on this environment\'s Secrets page, then deploy again')
    expect(await projectContainers(env1.project)).toEqual(before)
    expect(await serving(env1.url)).toBe('traider fixture v1')

    await env1.store.write('db-password', '', by)
    const empty = await deploy(env1.environment.id, { WEB_TAG: 'v2' })
    expect(empty.status).toBe('FAILED')
    expect(empty.deployment.outcome).toContain('secret "db-password" (used by "web") is empty in the embedded store')
    expect(await projectContainers(env1.project)).toEqual(before)
  })
})

describe('injection', () => {
  it('mounts a file at /run/secrets and sets a variable; a rotation replaces the container; its files go with it', async () => {
    const env1 = await environment()
    const dbPassword = newValue('db')
    const apiKey = newValue('api')
    await env1.store.write('db-password', dbPassword, by)
    await env1.store.write('api-key', apiKey, by)
    const first = await deploy(env1.environment.id, { WEB_TAG: 'v1' })
    expect(first.status).toBe('SUCCEEDED')
    expect(first.deployment.secretVersions).toEqual({ 'db-password': 1, 'api-key': 1 })
    const [container] = await projectContainers(env1.project)
    expect(await dockerCli(['exec', container.id, 'cat', '/run/secrets/db_password'])).toBe(dbPassword)
    expect((await dockerCli(['exec', container.id, 'sh', '-c', 'echo "$API_KEY"'])).trim()).toBe(apiKey)
    // Owned by the service's uid, read-only, on a tmpfs of the host.
    expect((await dockerCli(['exec', container.id, 'sh', '-c', 'ls -ln /run/secrets/db_password'])).trim()).toMatch(/^-r-------- +1 10001 +10001 /)
    const hostDir = (await dockerCli(['inspect', '-f', `{{index .Config.Labels "${STACK_LABELS.secretsDir}"}}`, container.id])).trim()
    expect(hostDir.startsWith(`${env().SECRETS_RUNTIME_DIR}/`)).toBe(true)
    expect((await dockerCli(['exec', container.id, 'sh', '-c', 'echo x > /run/secrets/db_password 2>&1 || echo refused'])).trim()).toContain('refused')

    // Same release inputs, rotated value: the service is replaced and sees the new value.
    const rotated = newValue('db2')
    await env1.store.write('db-password', rotated, by)
    const second = await deploy(env1.environment.id, { WEB_TAG: 'v1' })
    expect(second.status).toBe('SUCCEEDED')
    expect(second.deployment.secretVersions).toEqual({ 'db-password': 2, 'api-key': 1 })
    expect(second.deployment.logs.map((l) => l.message).join('\n')).toContain('its secrets changed')
    const [replacement] = await projectContainers(env1.project)
    expect(replacement.id).not.toBe(container.id)
    expect(await dockerCli(['exec', replacement.id, 'cat', '/run/secrets/db_password'])).toBe(rotated)
    // The replaced container was removed through the runtime, and its secret directory with it.
    expect(existsSync(hostDir)).toBe(false)

    const audit = await db().auditEvent.findMany({ where: { action: 'secret.read', targetId: second.id } })
    expect(audit).toHaveLength(1)
    expect(JSON.stringify(audit[0], (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain(rotated)
    expect(audit[0].summary).toMatchObject({ versions: { 'db-password': 2, 'api-key': 1 } })

    // Leaving: removing the last container through the runtime clears the directory too.
    const lastDir = (await dockerCli(['inspect', '-f', `{{index .Config.Labels "${STACK_LABELS.secretsDir}"}}`, replacement.id])).trim()
    await dockerStackRuntime.removeContainer({ url: 'unix:///var/run/docker.sock' }, replacement.id, { force: true })
    expect(existsSync(lastDir)).toBe(false)
  })
})

/** Every text, varchar and json(b) column of every table in this run's database, searched for `value`. */
async function postgresHits(value: string): Promise<string[]> {
  const columns = await db().$queryRaw<Array<{ table_name: string; column_name: string }>>`
    SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns
    WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`
  expect(columns.length).toBeGreaterThan(20)
  const hits: string[] = []
  for (const { table_name, column_name } of columns) {
    const rows = await db().$queryRawUnsafe<Array<{ n: bigint }>>(`SELECT count(*) AS n FROM "${table_name}" WHERE "${column_name}"::text LIKE '%' || $1 || '%'`, value)
    if (Number(rows[0].n) > 0) hits.push(`${table_name}.${column_name}`)
  }
  return hits
}

async function redisHits(value: string, prefix: string): Promise<string[]> {
  const redis = new Redis(env().REDIS_URL)
  const hits: string[] = []
  try {
    let cursor = '0'
    let scanned = 0
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500)
      cursor = next
      for (const key of keys) {
        scanned++
        const type = await redis.type(key)
        const dump =
          type === 'string' ? await redis.get(key)
          : type === 'hash' ? JSON.stringify(await redis.hgetall(key))
          : type === 'list' ? JSON.stringify(await redis.lrange(key, 0, -1))
          : type === 'set' ? JSON.stringify(await redis.smembers(key))
          : type === 'zset' ? JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES'))
          : type === 'stream' ? JSON.stringify(await redis.xrange(key, '-', '+'))
          : ''
        if (key.includes(value) || (dump ?? '').includes(value)) hits.push(key)
      }
    } while (cursor !== '0' && scanned < 100_000)
    expect(scanned).toBeGreaterThan(0)
  } finally {
    redis.disconnect()
  }
  return hits
}

describe('leak test: a deploy by a real worker leaves the value nowhere', () => {
  let worker: ChildProcess | undefined
  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM')
      await Promise.race([new Promise((resolve) => worker!.once('exit', resolve)), sleep(15_000)])
      if (worker.exitCode === null) worker.kill('SIGKILL')
    }
  })

  it('Postgres (every text/json column), Redis (every key under the prefix), worker stdout/stderr, deployment logs: zero hits', async () => {
    const env1 = await environment()
    const fileValue = newValue('leak-file')
    const envValue = newValue('leak-env')
    await env1.store.write('db-password', fileValue, by)
    await env1.store.write('api-key', envValue, by)

    const output: string[] = []
    worker = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'workers/main.ts'], {
      env: { ...process.env, WORKER_HEALTH_PORT: String(await freePort()), LOG_LEVEL: 'debug', NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    worker.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    worker.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()))

    const created = await requestDeployment({ db: db(), runtime: dockerStackRuntime, queue: bullJobQueue }, TEST_ACTOR, { environmentId: env1.environment.id, variables: { WEB_TAG: 'v1' }, bakeSeconds: 1 })
    let status = ''
    for (let i = 0; i < 240 && !['SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'CANCELLED'].includes(status); i++) {
      await sleep(500)
      status = (await db().deployment.findUniqueOrThrow({ where: { id: created.id } })).status
    }
    expect(status, output.join('')).toBe('SUCCEEDED')
    const [container] = await projectContainers(env1.project)
    expect(await dockerCli(['exec', container.id, 'cat', '/run/secrets/db_password'])).toBe(fileValue)

    worker.kill('SIGTERM')
    await Promise.race([new Promise((resolve) => worker!.once('exit', resolve)), sleep(15_000)])
    const workerLog = output.join('')
    expect(workerLog.length).toBeGreaterThan(0)

    for (const value of [fileValue, envValue]) {
      expect(await postgresHits(value)).toEqual([])
      expect(await redisHits(value, env().REDIS_PREFIX)).toEqual([])
      expect(workerLog.includes(value)).toBe(false)
      const logs = await db().deploymentLog.findMany({ where: { deploymentId: created.id } })
      expect(logs.length).toBeGreaterThan(3)
      expect(logs.some((l) => l.message.includes(value))).toBe(false)
    }
    // The search itself works: the sealed value's row exists, and a known non-secret is found.
    expect(await postgresHits(env1.environment.slug)).toContain('Environment.slug')
    expect(readdirSync(env().SECRETS_RUNTIME_DIR).some((d) => d.startsWith(container.name))).toBe(true)
  })
})
