// The deploy engine on the real Docker engine with fixture images (docker import, no
// registry): v1 → v2, automatic rollback for a crashing, never-healthy or bake-window
// failure, manual rollback, preflight refusals that leave containers untouched, cancel,
// one active deployment at a time, and depends_on order.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { closeRedis } from '@/server/infra/redis'
import { dockerStackRuntime } from '@/server/infra/docker-stack-runtime'
import { ensureFixtureImages, dockerCli } from '@/test/docker-fixtures'
import { deploy, engineDeps, makeDeployEnvironment, projectContainers, removeProject, serving, TEST_ACTOR, threeTierStack, webStack } from '@/test/deploy-harness'
import { recordingQueue } from '@/test/factories'
import { cancelDeployment, requestDeployment, requestRollback } from './deployment.service'
import { runDeployment } from './run-deployment'

const projects: string[] = []
async function environment(stack: (port: number) => string, tier?: 'DEVELOPMENT' | 'PRODUCTION') {
  const made = await makeDeployEnvironment(stack, tier)
  projects.push(made.project)
  return made
}

beforeAll(async () => {
  await ensureFixtureImages()
}, 120_000)
afterEach(async () => {
  for (const p of projects.splice(0)) await removeProject(p)
})
afterAll(async () => {
  await closeRedis()
  await disconnectDb()
})

const deps = () => ({ db: db(), runtime: dockerStackRuntime, queue: recordingQueue() })

describe('deploy and automatic rollback', () => {
  it('v1 → v2: the page served on the published port changes and only v2 remains', async () => {
    const env = await environment((p) => webStack(p))
    const first = await deploy(env.environment.id, { WEB_TAG: 'v1' })
    expect(first.status).toBe('SUCCEEDED')
    expect(await serving(env.url)).toBe('traider fixture v1')
    expect(first.deployment.steps.map((s) => [s.name, s.status]).sort()).toEqual([
      ['backup', 'SKIPPED'],
      ['preflight', 'SUCCEEDED'],
      ['rollout', 'SUCCEEDED'],
      ['verify', 'SUCCEEDED'],
    ])

    const second = await deploy(env.environment.id, { WEB_TAG: 'v2' })
    expect(second.status).toBe('SUCCEEDED')
    expect(second.deployment.diff).toEqual([expect.objectContaining({ service: 'web', action: 'replace' })])
    expect(await serving(env.url)).toBe('traider fixture v2')
    const containers = await projectContainers(env.project)
    expect(containers).toHaveLength(1)
    expect(containers[0]).toMatchObject({ service: 'web', state: 'running', name: `${env.project}-web-d2` })
  })

  it.each([
    ['exits at start', 'crash', /web did not become healthy \(exited\).*boom/s],
    ['never turns healthy', 'unhealthy', /web did not become healthy \(unhealthy\)/],
  ])('a v2 that %s is rolled back and v1 serves again', async (_label, tag, reason) => {
    const env = await environment((p) => webStack(p))
    await deploy(env.environment.id, { WEB_TAG: 'v1' })
    const before = await projectContainers(env.project)
    const broken = await deploy(env.environment.id, { WEB_TAG: tag })
    expect(broken.status).toBe('ROLLED_BACK')
    expect(broken.deployment.outcome).toMatch(reason)
    expect(broken.deployment.outcome).toContain('restored web')
    expect(await serving(env.url)).toBe('traider fixture v1')
    // Exactly the v1 container, running again: the broken one is gone.
    expect(await projectContainers(env.project)).toEqual([{ ...before[0], state: 'running' }])
  })

  it('a failure inside the bake window rolls back', async () => {
    const env = await environment((p) => webStack(p, '\n    environment:\n      CRASH_AFTER_SECONDS: "3"'))
    await deploy(env.environment.id, { WEB_TAG: 'v1' })
    const flaky = await deploy(env.environment.id, { WEB_TAG: 'flaky' }, { bakeSeconds: 8 })
    expect(flaky.status).toBe('ROLLED_BACK')
    expect(flaky.deployment.steps.find((s) => s.name === 'verify')?.status).toBe('FAILED')
    expect(flaky.deployment.outcome).toMatch(/web (stopped|restarted|turned unhealthy) during the bake window/)
    expect(await serving(env.url)).toBe('traider fixture v1')
  })
})

describe('manual rollback', () => {
  it('rolls back v2 → v1, and to a release two back', async () => {
    const env = await environment((p) => webStack(p))
    const r1 = await deploy(env.environment.id, { WEB_TAG: 'v1' })
    await deploy(env.environment.id, { WEB_TAG: 'v2' })
    const back = await requestRollback(deps(), TEST_ACTOR, { environmentId: env.environment.id, emergency: false, bakeSeconds: 1 })
    expect(back.releaseNumber).toBe(r1.releaseNumber)
    expect(await runDeployment(engineDeps, back.id)).toBe('SUCCEEDED')
    expect(await serving(env.url)).toBe('traider fixture v1')

    // v1 → v2 → db-less v1 again: now jump back two releases, to v2 (release 2).
    const r2 = await db().release.findFirstOrThrow({ where: { environmentId: env.environment.id, number: 2 } })
    const twoBack = await requestRollback(deps(), TEST_ACTOR, { environmentId: env.environment.id, toReleaseId: r2.id, emergency: false, bakeSeconds: 1 })
    expect(await runDeployment(engineDeps, twoBack.id)).toBe('SUCCEEDED')
    expect(await serving(env.url)).toBe('traider fixture v2')
    const rollback = await db().deployment.findUniqueOrThrow({ where: { id: twoBack.id } })
    expect(rollback.kind).toBe('ROLLBACK')
  })

  it('refuses a release that never succeeded here, and an emergency without a reason', async () => {
    const env = await environment((p) => webStack(p))
    await deploy(env.environment.id, { WEB_TAG: 'v1' })
    const failed = await deploy(env.environment.id, { WEB_TAG: 'crash' })
    await expect(requestRollback(deps(), TEST_ACTOR, { environmentId: env.environment.id, toReleaseId: failed.deployment.releaseId, emergency: false })).rejects.toThrow('only roll back to a release that once deployed successfully')
    await expect(requestRollback(deps(), TEST_ACTOR, { environmentId: env.environment.id, emergency: true })).rejects.toThrow('needs a reason')
  })
})

describe('preflight refusals change nothing', () => {
  it('a stack asking for more memory than the host has is refused, containers untouched', async () => {
    const env = await environment((p) => webStack(p).replace('memory: 64M', 'memory: "${WEB_MEMORY:-64M}"'))
    await deploy(env.environment.id, { WEB_TAG: 'v1' })
    const before = await projectContainers(env.project)
    const greedy = await deploy(env.environment.id, { WEB_TAG: 'v2', WEB_MEMORY: '4096G' })
    expect(greedy.status).toBe('FAILED')
    expect(greedy.deployment.outcome).toMatch(/^Preflight refused the deployment; nothing on the host was changed\. resources: the stack asks for .* lower the stack's limits/)
    expect(greedy.deployment.steps.map((s) => s.name)).toEqual(['preflight'])
    expect(await projectContainers(env.project)).toEqual(before)
    expect(await serving(env.url)).toBe('traider fixture v1')
  })

  it('an image retagged after planning is refused at preflight', async () => {
    const env = await environment((p) => webStack(p))
    await deploy(env.environment.id, { WEB_TAG: 'v1' })
    const before = await projectContainers(env.project)
    await dockerCli(['tag', 'traider-fixture:v2', 'traider-fixture:moving'])
    try {
      const created = await requestDeployment(deps(), TEST_ACTOR, { environmentId: env.environment.id, variables: { WEB_TAG: 'moving' }, bakeSeconds: 1 })
      await dockerCli(['tag', 'traider-fixture:crash', 'traider-fixture:moving'])
      expect(await runDeployment(engineDeps, created.id)).toBe('FAILED')
      const row = await db().deployment.findUniqueOrThrow({ where: { id: created.id } })
      expect(row.outcome).toContain('changed since the plan was made')
      expect(await projectContainers(env.project)).toEqual(before)
    } finally {
      await dockerCli(['rmi', 'traider-fixture:moving'])
    }
  })

  it('a production stack with a root user is refused before anything is planned', async () => {
    const env = await environment((p) => webStack(p).replace('user: "10001"', 'user: "0"'), 'PRODUCTION')
    await expect(requestDeployment(deps(), TEST_ACTOR, { environmentId: env.environment.id, variables: { WEB_TAG: 'v1' } })).rejects.toThrow(/deployment policy refuses this stack.*root/)
    expect(await projectContainers(env.project)).toEqual([])
  })
})

describe('one at a time, cancel, order', () => {
  it('refuses a second deployment while one is active, naming it', async () => {
    const env = await environment((p) => webStack(p))
    const first = await requestDeployment(deps(), TEST_ACTOR, { environmentId: env.environment.id, variables: { WEB_TAG: 'v1' }, bakeSeconds: 1 })
    await expect(requestDeployment(deps(), TEST_ACTOR, { environmentId: env.environment.id, variables: { WEB_TAG: 'v2' } })).rejects.toThrow(
      `Deployment #${first.number} is queued on this environment: wait for it to finish or cancel it, then try again.`,
    )
    await cancelDeployment({ db: db() }, TEST_ACTOR, first.id)
    expect((await db().deployment.findUniqueOrThrow({ where: { id: first.id } })).status).toBe('CANCELLED')
  })

  it('cancel during the bake window rolls back to v1', async () => {
    const env = await environment((p) => webStack(p))
    await deploy(env.environment.id, { WEB_TAG: 'v1' })
    const created = await requestDeployment(deps(), TEST_ACTOR, { environmentId: env.environment.id, variables: { WEB_TAG: 'v2' }, bakeSeconds: 30 })
    const running = runDeployment(engineDeps, created.id)
    const deadline = Date.now() + 30_000
    while ((await db().deployment.findUniqueOrThrow({ where: { id: created.id } })).status !== 'VERIFYING') {
      if (Date.now() > deadline) throw new Error('deployment never reached VERIFYING')
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(await serving(env.url)).toBe('traider fixture v2')
    await cancelDeployment({ db: db() }, TEST_ACTOR, created.id)
    expect(await running).toBe('CANCELLED')
    expect(await serving(env.url)).toBe('traider fixture v1')
    const row = await db().deployment.findUniqueOrThrow({ where: { id: created.id } })
    expect(row.outcome).toMatch(/^Cancelled by an operator\. Rolled back: restored web/)
  })

  it('cancel mid-rollout stops at the next service and puts back what changed', async () => {
    const env = await environment(threeTierStack)
    await deploy(env.environment.id, { WEB_TAG: 'v1', API_TAG: 'v1' })
    const created = await requestDeployment(deps(), TEST_ACTOR, { environmentId: env.environment.id, variables: { WEB_TAG: 'v2', API_TAG: 'v2' }, bakeSeconds: 1 })
    const running = runDeployment(engineDeps, created.id)
    const deadline = Date.now() + 30_000
    while ((await db().deployment.findUniqueOrThrow({ where: { id: created.id } })).status !== 'ROLLING_OUT') {
      if (Date.now() > deadline) throw new Error('deployment never reached ROLLING_OUT')
      await new Promise((r) => setTimeout(r, 50))
    }
    await cancelDeployment({ db: db() }, TEST_ACTOR, created.id)
    expect(await running).toBe('CANCELLED')
    expect(await serving(env.url)).toBe('traider fixture v1')
    const containers = await projectContainers(env.project)
    expect(containers.map((c) => c.service).sort()).toEqual(['api', 'db', 'web'])
    expect(containers.every((c) => c.state === 'running' && c.name.endsWith('-d1'))).toBe(true)
  })

  it('starts services in depends_on order, each after its dependency is healthy', async () => {
    const env = await environment(threeTierStack)
    const result = await deploy(env.environment.id, { WEB_TAG: 'v1', API_TAG: 'v1' })
    expect(result.deployment.outcome).toMatch(/^Release \d+ is running/)
    expect(result.status).toBe('SUCCEEDED')
    const lines = result.deployment.logs.map((l) => l.message)
    const at = (text: string) => lines.findIndex((l) => l.startsWith(text))
    expect(at('db: new container healthy')).toBeGreaterThan(-1)
    expect(at('db: new container healthy')).toBeLessThan(at('api: creating'))
    expect(at('api: new container healthy')).toBeLessThan(at('web: creating'))
    expect(await serving(env.url)).toBe('traider fixture v1')
  })
})
