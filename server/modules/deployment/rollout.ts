// Rolling the plan out service by service in dependency order, then the bake window.
// Each service's record is written BEFORE the Docker change it describes, so a rollback
// (in this worker or the next) always knows which containers to remove and which to restore.
import { setTimeout as sleep } from 'node:timers/promises'
import { currentContainers, type PlannedService } from './release-plan'
import { containerNameFor, healthBudgetMs, RolloutFailure, throwIfCancelled, type EngineContext } from './engine-context'
import { STACK_LABELS } from '@/server/infra/service-spec-to-docker'
import { injectionFor } from '@/server/modules/secret/deployment-secrets'
import { readRolloutSecrets } from './rollout-secrets'

/** Start-first needs two containers side by side; a fixed host port (or asking for it) makes it stop-first. */
export function updateOrder(service: PlannedService): 'start-first' | 'stop-first' {
  if (service.spec.labels['traider.update-order'] === 'stop-first') return 'stop-first'
  return service.spec.ports.some((p) => p.hostPort !== undefined) ? 'stop-first' : 'start-first'
}

async function recordService(ctx: EngineContext, service: string, data: { action?: string; oldContainerId?: string | null; newContainerName?: string; newContainerId?: string; state: string }) {
  await ctx.deps.db.deploymentService.upsert({
    where: { deploymentId_service: { deploymentId: ctx.deploymentId, service } },
    create: { deploymentId: ctx.deploymentId, service, action: data.action ?? 'unchanged', ...data },
    update: data,
  })
}

export async function rollOut(ctx: EngineContext): Promise<void> {
  const { runtime, settings } = ctx.deps
  const { endpoint, plan, recorder } = ctx
  // Before anything on the host changes: a secret deleted since preflight fails here, harmlessly.
  const secrets = await readRolloutSecrets(ctx)
  const running = currentContainers(await runtime.listStackContainers(endpoint, plan.project, { all: false }))

  const networkNames: Record<string, string> = {}
  for (const [name, spec] of Object.entries(plan.networks)) networkNames[name] = (await runtime.ensureNetwork(endpoint, { project: plan.project, name, spec })).dockerName
  const volumeNames: Record<string, string> = {}
  for (const [name, spec] of Object.entries(plan.volumes)) volumeNames[name] = (await runtime.ensureVolume(endpoint, { project: plan.project, name, spec })).dockerName

  for (const service of plan.services) {
    await throwIfCancelled(ctx)
    const current = running.get(service.name)
    const injection = injectionFor(service.name, secrets.uses, secrets.values)
    const secretsChanged = current !== undefined && current.labels[STACK_LABELS.secretsHash] !== injection.secretsHash
    if (current && current.configHash === service.configHash && !secretsChanged && current.health !== 'unhealthy') {
      await recordService(ctx, service.name, { action: 'unchanged', oldContainerId: current.id, state: 'done' })
      await recorder.log('rollout', `${service.name}: unchanged (${service.imageRef})`)
      continue
    }
    const order = updateOrder(service)
    const containerName = containerNameFor(plan, service.name, ctx.number)
    await recordService(ctx, service.name, { action: current ? 'replace' : 'create', oldContainerId: current?.id ?? null, newContainerName: containerName, state: 'pending' })
    const why = current && current.configHash === service.configHash && secretsChanged ? ', its secrets changed' : ''
    await recorder.log('rollout', current ? `${service.name}: replacing ${current.image} with ${service.imageRef} (${order}${why})` : `${service.name}: creating from ${service.imageRef}`)

    if (current && order === 'stop-first') {
      await runtime.stopContainer(endpoint, current.id, { timeoutSeconds: settings.stopTimeoutSeconds })
      await recordService(ctx, service.name, { state: 'old_stopped' })
      await recorder.log('rollout', `${service.name}: stopped the old container first (it publishes a fixed host port)`)
    }
    await recordService(ctx, service.name, { state: 'creating' })
    const created = await runtime.createServiceContainer(endpoint, {
      project: plan.project,
      service: service.spec,
      imageId: service.imageId,
      configHash: service.configHash,
      deploymentId: ctx.deploymentId,
      containerName,
      networkNames,
      volumeNames,
      env: injection.env,
      secretFiles: injection.secretFiles,
      secretsHash: injection.secretsHash,
    })
    await recordService(ctx, service.name, { newContainerId: created.id, state: 'created' })
    await runtime.startContainer(endpoint, created.id)
    await recordService(ctx, service.name, { state: 'started' })
    const started = Date.now()
    const health = await runtime.waitForHealthy(endpoint, created.id, { timeoutMs: healthBudgetMs(service.spec.healthcheck) })
    if (health.outcome !== 'healthy') {
      throw new RolloutFailure(`${service.name} did not become healthy (${health.outcome}): ${health.detail}`)
    }
    await recordService(ctx, service.name, { state: 'healthy' })
    await recorder.log('rollout', `${service.name}: new container healthy after ${((Date.now() - started) / 1000).toFixed(1)} s`)
    if (current && order === 'start-first') {
      await runtime.stopContainer(endpoint, current.id, { timeoutSeconds: settings.stopTimeoutSeconds })
      await recordService(ctx, service.name, { state: 'old_stopped' })
      await recorder.log('rollout', `${service.name}: stopped the old container (kept until the deployment succeeds)`)
    }
  }

  for (const [name, current] of running) {
    if (plan.services.some((s) => s.name === name)) continue
    await throwIfCancelled(ctx)
    await recordService(ctx, name, { action: 'remove', oldContainerId: current.id, state: 'pending' })
    await runtime.stopContainer(endpoint, current.id, { timeoutSeconds: settings.stopTimeoutSeconds })
    await recordService(ctx, name, { state: 'old_stopped' })
    await recorder.log('rollout', `${name}: stopped (no longer in the stack; removed when the deployment succeeds)`)
  }
}

/** Every new container must stay running, healthy and unrestarted for the whole window. */
export async function verifyBake(ctx: EngineContext): Promise<void> {
  const { runtime, settings, db } = ctx.deps
  const fresh = await db.deploymentService.findMany({ where: { deploymentId: ctx.deploymentId, newContainerId: { not: null } } })
  const baseline = new Map<string, number>()
  for (const s of fresh) baseline.set(s.service, (await runtime.inspectContainer(ctx.endpoint, s.newContainerId!)).restartCount)
  await ctx.recorder.log('verify', `bake window: ${ctx.bakeSeconds} s, watching ${fresh.map((s) => s.service).join(', ') || 'no new containers'}`)
  const deadline = Date.now() + ctx.bakeSeconds * 1000
  while (Date.now() < deadline) {
    await throwIfCancelled(ctx)
    for (const s of fresh) {
      const status = await runtime.inspectContainer(ctx.endpoint, s.newContainerId!)
      if (status.state !== 'running') throw new RolloutFailure(`${s.service} stopped during the bake window (${status.state}, exit code ${status.exitCode})`)
      if (status.health === 'unhealthy') throw new RolloutFailure(`${s.service} turned unhealthy during the bake window`)
      if (status.restartCount > (baseline.get(s.service) ?? 0)) throw new RolloutFailure(`${s.service} restarted during the bake window (${status.restartCount} restarts)`)
    }
    await sleep(Math.min(settings.bakePollMs, Math.max(0, deadline - Date.now())))
  }
}

/** After success: the old containers kept for rollback are removed. */
export async function removeReplacedContainers(ctx: EngineContext): Promise<void> {
  const rows = await ctx.deps.db.deploymentService.findMany({ where: { deploymentId: ctx.deploymentId, action: { in: ['replace', 'remove'] } } })
  for (const row of rows) {
    if (row.oldContainerId) await ctx.deps.runtime.removeContainer(ctx.endpoint, row.oldContainerId, { force: true })
  }
  await ctx.deps.db.deploymentService.updateMany({ where: { deploymentId: ctx.deploymentId, action: { not: 'unchanged' } }, data: { state: 'done' } })
}
