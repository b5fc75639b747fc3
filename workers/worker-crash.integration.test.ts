// Crash safety of the deploy engine with the real worker process: kill -9 during the
// rollout and during the bake window, start a new worker, and check the environment is
// consistent (previous release serving, no orphan containers, counted through Docker).
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '@/test/net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { bullJobQueue, closeQueues } from '@/server/infra/queues'
import { closeRedis } from '@/server/infra/redis'
import { dockerStackRuntime } from '@/server/infra/docker-stack-runtime'
import { requestDeployment } from '@/server/modules/deployment/deployment.service'
import { deploy, makeDeployEnvironment, projectContainers, removeProject, serving, TEST_ACTOR, threeTierStack, webStack } from '@/test/deploy-harness'
import { ensureFixtureImages } from '@/test/docker-fixtures'
import { recordingQueue } from '@/test/factories'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx')
const LOCK_SECONDS = 2

type Running = { child: ChildProcess; output: () => string }
const workers: Running[] = []
const projects: string[] = []

async function startWorker(): Promise<Running> {
  let output = ''
  const child = spawn(TSX, ['workers/main.ts'], {
    cwd: ROOT,
    // Own process group: kill -9 must hit tsx's node child too, as a real crash would.
    detached: true,
    env: { ...process.env, WORKER_HEALTH_PORT: String(await freePort()), WORKER_LOCK_SECONDS: String(LOCK_SECONDS), LOG_LEVEL: 'info', NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (d) => (output += d))
  child.stderr?.on('data', (d) => (output += d))
  const running = { child, output: () => output }
  workers.push(running)
  return running
}

function killHard(worker: Running) {
  process.kill(-worker.child.pid!, 'SIGKILL')
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const value = await probe()
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for ${what}\n${workers.map((w) => w.output().slice(-2000)).join('\n---\n')}`)
}

const statusOf = async (id: string) => (await db().deployment.findUniqueOrThrow({ where: { id } })).status

beforeAll(async () => {
  await ensureFixtureImages()
}, 120_000)
afterEach(async () => {
  for (const w of workers.splice(0)) {
    try {
      process.kill(-w.child.pid!, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  for (const p of projects.splice(0)) await removeProject(p)
})
afterAll(async () => {
  await closeQueues()
  await closeRedis()
  await disconnectDb()
})

describe('kill -9 of the worker mid-deployment', () => {
  it('during the bake window: the next worker rolls back, v1 serves, no orphans', async () => {
    const env = await makeDeployEnvironment((p) => webStack(p))
    projects.push(env.project)
    expect((await deploy(env.environment.id, { WEB_TAG: 'v1' })).status).toBe('SUCCEEDED')
    const v1 = await projectContainers(env.project)

    const created = await requestDeployment({ db: db(), runtime: dockerStackRuntime, queue: recordingQueue() }, TEST_ACTOR, {
      environmentId: env.environment.id,
      variables: { WEB_TAG: 'v2' },
      bakeSeconds: 60,
    })
    await bullJobQueue.enqueueDeployment(created.id)
    const first = await startWorker()
    await waitFor('VERIFYING', async () => ((await statusOf(created.id)) === 'VERIFYING' ? true : undefined))
    expect(await serving(env.url)).toBe('traider fixture v2')
    killHard(first)

    await startWorker()
    const final = await waitFor('a terminal status', async () => {
      const s = await statusOf(created.id)
      return ['ROLLED_BACK', 'FAILED', 'SUCCEEDED', 'CANCELLED'].includes(s) ? s : undefined
    })
    expect(final).toBe('ROLLED_BACK')
    const row = await db().deployment.findUniqueOrThrow({ where: { id: created.id } })
    expect(row.outcome).toContain('the worker running this deployment stopped during the bake window')
    expect(await serving(env.url)).toBe('traider fixture v1')
    const after = await projectContainers(env.project)
    expect(after).toEqual([{ ...v1[0], state: 'running' }])
    // The worker re-checks the engine after a deployment ends, so the environment page's
    // engine facts (containers running) are not stale.
    const check = await waitFor('the post-deployment engine check', async () =>
      (await db().environmentCheck.findFirst({ where: { environmentId: env.environment.id, status: 'OK' } })) ?? undefined,
    )
    expect(check.containersRunning).toBeGreaterThanOrEqual(1)
  })

  it('during the rollout: the next worker restores every touched service, no orphans', async () => {
    const env = await makeDeployEnvironment(threeTierStack)
    projects.push(env.project)
    expect((await deploy(env.environment.id, { WEB_TAG: 'v1', API_TAG: 'v1' })).status).toBe('SUCCEEDED')
    const v1 = await projectContainers(env.project)

    const created = await requestDeployment({ db: db(), runtime: dockerStackRuntime, queue: recordingQueue() }, TEST_ACTOR, {
      environmentId: env.environment.id,
      variables: { WEB_TAG: 'v2', API_TAG: 'v2' },
      bakeSeconds: 5,
    })
    await bullJobQueue.enqueueDeployment(created.id)
    const first = await startWorker()
    // Kill once the api's new container exists but web has not been replaced yet.
    await waitFor('the api replacement to start', async () => {
      const api = await db().deploymentService.findUnique({ where: { deploymentId_service: { deploymentId: created.id, service: 'api' } } })
      return api && ['created', 'started', 'healthy'].includes(api.state) ? true : undefined
    })
    killHard(first)
    const midway = await projectContainers(env.project)
    expect(midway.some((c) => c.service === 'api' && c.name.endsWith('-d2'))).toBe(true)

    await startWorker()
    const final = await waitFor('a terminal status', async () => {
      const s = await statusOf(created.id)
      return ['ROLLED_BACK', 'FAILED', 'SUCCEEDED', 'CANCELLED'].includes(s) ? s : undefined
    })
    expect(final).toBe('ROLLED_BACK')
    expect(await serving(env.url)).toBe('traider fixture v1')
    const after = await projectContainers(env.project)
    // Exactly the three v1 containers, all running again; nothing from deployment 2 is left.
    expect(after.map((c) => c.id).sort()).toEqual(v1.map((c) => c.id).sort())
    expect(after.every((c) => c.state === 'running')).toBe(true)
  })
})
