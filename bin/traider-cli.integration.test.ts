// The traider CLI (plain `node bin/traider.mjs`) against a running API: the REST handler
// served from node:http on 127.0.0.1, a real BullMQ worker running the deployment processor
// in this process, and the real Docker engine with local fixture images. Exit codes:
// 0 succeeded, 1 failed/rolled back, 2 usage, 3 waiting for approval or refused.
import { execFile } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TOKEN_SCOPES, type TokenScope } from '@/server/auth/api-token-scopes'
import { db, disconnectDb } from '@/server/db'
import { dockerStackRuntime } from '@/server/infra/docker-stack-runtime'
import { bullJobQueue, bullPrefix, closeQueues, QUEUE_NAMES } from '@/server/infra/queues'
import { closeRedis, createBullConnection, redis, redisKey } from '@/server/infra/redis'
import { logger } from '@/server/logger'
import { createApiToken } from '@/server/modules/api-token/api-token.service'
import { createRestHandler } from '@/server/rest/rest-handler'
import { createDeploymentProcessor } from '@/workers/processors/deployment.processor'
import { engineDeps, makeDeployEnvironment, removeProject, serving, webStack } from '@/test/deploy-harness'
import { ensureFixtureImages, FIXTURE_BODIES } from '@/test/docker-fixtures'
import { makeUser, unique } from '@/test/factories'
import { serveFetchHandler } from '@/test/fetch-server'

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), 'traider.mjs')

let server: { url: string; close: () => Promise<void> }
let worker: Worker
const workerConnection = createBullConnection('worker')
let home: string
let token: string
let dev: Awaited<ReturnType<typeof makeDeployEnvironment>>
let prod: Awaited<ReturnType<typeof makeDeployEnvironment>>

type Run = { code: number; stdout: string; stderr: string }
function traider(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: Object.fromEntries(
          Object.entries({ PATH: process.env.PATH, NODE_ENV: 'test', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), TRAIDER_URL: server.url, TRAIDER_TOKEN: token, ...env }).filter(([, v]) => v !== undefined),
        ) as NodeJS.ProcessEnv,
        timeout: 120_000,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    )
  })
}

async function tokenWith(scopes: TokenScope[]) {
  const owner = await makeUser('ADMIN')
  return (await createApiToken({ db: db() }, owner, { type: 'USER', id: owner.id, label: owner.email }, { name: unique('cli'), scopes, expiresInDays: 1 })).token
}

beforeAll(async () => {
  await ensureFixtureImages()
  home = mkdtempSync(path.join(tmpdir(), 'traider-cli-home-'))
  token = await tokenWith([...TOKEN_SCOPES])
  dev = await makeDeployEnvironment(webStack)
  prod = await makeDeployEnvironment(webStack, 'PRODUCTION')
  server = await serveFetchHandler(
    createRestHandler({ services: () => ({ db: db(), queue: bullJobQueue, runtime: dockerStackRuntime }), redis, redisKey, rateLimitPerMinute: 10_000 }),
  )
  worker = new Worker(QUEUE_NAMES.deployment, createDeploymentProcessor(engineDeps, logger), { connection: workerConnection, prefix: bullPrefix(), concurrency: 1 })
})

afterAll(async () => {
  await worker?.close()
  await workerConnection.quit()
  await server?.close()
  for (const e of [dev, prod]) if (e) await removeProject(e.project)
  await db().environment.deleteMany({ where: { id: { in: [dev?.environment.id, prod?.environment.id].filter((x): x is string => Boolean(x)) } } })
  rmSync(home, { recursive: true, force: true })
  await closeQueues()
  await closeRedis()
  await disconnectDb()
})

describe('traider CLI against a running API and worker', () => {
  it('deploy --wait → 0 and the new version serves; progress is printed', async () => {
    const run = await traider(['deploy', dev.environment.slug, '--set', 'web=v1', '--bake', '1', '--wait'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Deployment #1 (release 1)')
    expect(run.stdout).toMatch(/step rollout: succeeded/)
    expect(run.stdout).toContain('Deployment #1 succeeded.')
    expect(await serving(dev.url)).toBe(FIXTURE_BODIES.v1)

    const second = await traider(['deploy', dev.environment.slug, '--set', 'WEB_TAG=v2', '--bake=1', '--wait'])
    expect(second.code).toBe(0)
    expect(await serving(dev.url)).toBe(FIXTURE_BODIES.v2)
  })

  it('status shows the current release and recent deployments (also as --json)', async () => {
    const run = await traider(['status', dev.environment.slug])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`(${dev.environment.slug}, development)`)
    expect(run.stdout).toMatch(/current: +release 2 \(deployment #2/)
    const json = await traider(['status', dev.environment.slug, '--json'])
    expect(json.code).toBe(0)
    const parsed = JSON.parse(json.stdout) as { deployments: Array<{ number: number; status: string }> }
    expect(parsed.deployments.map((d) => [d.number, d.status])).toEqual([[2, 'SUCCEEDED'], [1, 'SUCCEEDED']])
  })

  it('rollback --wait → 0, back to release 1', async () => {
    const run = await traider(['rollback', dev.environment.slug, '--to', '1', '--bake', '1', '--wait'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Deployment #3 (release 1)')
    expect(await serving(dev.url)).toBe(FIXTURE_BODIES.v1)
  })

  it('a broken image → 1 (rolled back), the previous version still serves', async () => {
    const run = await traider(['deploy', dev.environment.slug, '--set', 'web=crash', '--bake', '1', '--wait'])
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('Deployment #4 rolled back')
    expect(await serving(dev.url)).toBe(FIXTURE_BODIES.v1)
  })

  it('emergency rollback with a reason → 0, recorded as break-glass', async () => {
    const run = await traider(['rollback', dev.environment.slug, '--emergency', '--reason', 'v1 misprices options', '--bake', '1', '--wait'])
    expect(run.code).toBe(0)
    expect(await serving(dev.url)).toBe(FIXTURE_BODIES.v2)
    const last = await db().deployment.findFirstOrThrow({ where: { environmentId: dev.environment.id }, orderBy: { number: 'desc' } })
    expect(last).toMatchObject({ kind: 'EMERGENCY_ROLLBACK', reason: 'v1 misprices options', status: 'SUCCEEDED' })
  })

  it('production needing approvals → 3, the request waits', async () => {
    const run = await traider(['deploy', prod.environment.slug, '--set', 'web=v1', '--wait'])
    expect(run.code).toBe(3)
    expect(run.stdout).toContain('is waiting: 0 of 2 approvals')
    const json = await traider(['deploy', prod.environment.slug, '--set', 'web=v2', '--json'])
    expect(json.code).toBe(3)
    expect(json.stderr).toContain('Deployment #1 is requested')
  })

  it('refusals: a token without the scope → 3; an unknown environment → 2; a bad token → 1', async () => {
    const readOnly = await tokenWith(['read'])
    const refused = await traider(['deploy', dev.environment.slug, '--set', 'web=v1'], { TRAIDER_TOKEN: readOnly })
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain('lacks the "deploy:request" scope')
    const missing = await traider(['status', 'no-such-environment'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('Environment "no-such-environment" was not found')
    const bad = await traider(['status', dev.environment.slug], { TRAIDER_TOKEN: `trd_${'x'.repeat(43)}` })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('not known')
  })

  it('bad usage → 2', async () => {
    for (const args of [[], ['deploy'], ['deploy', 'a', 'b'], ['rollback', 'x', '--emergency'], ['deploy', 'x', '--set', 'novalue'], ['frobnicate'], ['audit'], ['deploy', 'x', '--nope']]) {
      const run = await traider(args)
      expect(run.code, `traider ${args.join(' ')}`).toBe(2)
    }
    expect((await traider(['--help'])).code).toBe(0)
    expect((await traider(['status', 'x'], { TRAIDER_TOKEN: undefined })).stderr).toContain('No API token')
  })

  it('reads the config file only when it is private (0600)', async () => {
    const dir = path.join(home, '.config', 'traider')
    mkdirSync(dir, { recursive: true })
    const file = path.join(dir, 'config.json')
    writeFileSync(file, JSON.stringify({ url: server.url, token }))
    chmodSync(file, 0o644)
    const open = await traider(['status', dev.environment.slug], { TRAIDER_URL: undefined, TRAIDER_TOKEN: undefined })
    expect(open.code).toBe(2)
    expect(open.stderr).toContain('chmod 600')
    chmodSync(file, 0o600)
    const ok = await traider(['status', dev.environment.slug], { TRAIDER_URL: undefined, TRAIDER_TOKEN: undefined })
    expect(ok.code).toBe(0)
    rmSync(file)
  })

  it('backup is refused (3) with what to do while backups are not set up for the environment', async () => {
    const run = await traider(['backup', dev.environment.slug, '--kind', 'full'])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain('Backups are not set up')
    expect((await traider(['backup', dev.environment.slug, '--kind', 'weekly'])).code).toBe(2)
  })

  it('audit verify → 0 with the count', async () => {
    const run = await traider(['audit', 'verify'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/Audit chain intact: \d+ events checked/)
  })
})
