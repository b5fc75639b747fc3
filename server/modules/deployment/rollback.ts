// Automatic rollback: puts back the previous container of every service the deployment
// touched (newest first), removes every container it created — including any created just
// before a worker died, found by the deployment's label — and says what it did, in words.
import { SYSTEM_ACTOR, audit } from '@/server/modules/audit/audit'
import type { DeploymentStatus } from '@/generated/prisma/enums'
import { notifyDeploymentFinished } from '@/server/modules/notification/deployment-events'
import type { EngineContext } from './engine-context'

const RESTORE_HEALTH_TIMEOUT_MS = 120_000

export async function rollBack(ctx: EngineContext, reason: string, { cancelled = false } = {}): Promise<DeploymentStatus> {
  const { runtime, db } = ctx.deps
  const { endpoint, recorder } = ctx
  if (recorder.current !== 'ROLLING_BACK') await recorder.transition('ROLLING_BACK')
  await recorder.startStep('rollback')
  await recorder.log('rollback', `rolling back: ${reason}`, 'warn')

  const order = new Map(ctx.plan.services.map((s, i) => [s.name, i]))
  const rows = await db.deploymentService.findMany({ where: { deploymentId: ctx.deploymentId, action: { not: 'unchanged' } } })
  // Reverse dependency order; services being removed (not in the plan) go first.
  rows.sort((a, b) => (order.get(b.service) ?? Infinity) - (order.get(a.service) ?? Infinity))

  const restored: string[] = []
  const removed: string[] = []
  const problems: string[] = []
  for (const row of rows) {
    try {
      if (row.newContainerId) {
        await runtime.removeContainer(endpoint, row.newContainerId, { force: true })
        removed.push(row.service)
      }
      if (row.oldContainerId) {
        await runtime.startContainer(endpoint, row.oldContainerId)
        const health = await runtime.waitForHealthy(endpoint, row.oldContainerId, { timeoutMs: RESTORE_HEALTH_TIMEOUT_MS })
        if (health.outcome !== 'healthy') throw new Error(`the previous container did not come back healthy (${health.outcome}): ${health.detail}`)
        restored.push(row.service)
      }
      await db.deploymentService.update({ where: { id: row.id }, data: { state: 'restored' } })
      await recorder.log('rollback', `${row.service}: ${row.oldContainerId ? 'previous container running again' : 'new service removed'}`)
    } catch (error) {
      problems.push(`${row.service}: ${(error as Error).message}`)
      await db.deploymentService.update({ where: { id: row.id }, data: { state: 'failed' } })
      await recorder.log('rollback', `${row.service}: could not be restored: ${(error as Error).message}`, 'error')
    }
  }

  // Containers this deployment created but never recorded (the worker died between the
  // create call and writing its id) carry its label: remove them too.
  const leftovers = (await runtime.listStackContainers(endpoint, ctx.plan.project, { all: true })).filter(
    (c) => c.deploymentId === ctx.deploymentId && !rows.some((r) => r.newContainerId === c.id),
  )
  for (const c of leftovers) {
    await runtime.removeContainer(endpoint, c.id, { force: true })
    await recorder.log('rollback', `removed ${c.name}, created by this deployment before it was recorded`)
  }

  const what = [
    restored.length ? `restored ${restored.join(', ')}` : null,
    removed.length ? `removed the new containers of ${removed.join(', ')}` : null,
    leftovers.length ? `removed ${leftovers.length} unrecorded container${leftovers.length === 1 ? '' : 's'}` : null,
  ].filter(Boolean)
  const summary = what.length ? what.join('; ') : 'nothing had changed yet'
  if (problems.length > 0) {
    const outcome = `${headline(reason, cancelled)}. ROLLBACK FAILED for ${problems.join('; ')}. The environment needs manual attention: check its containers on the environment page.`
    await recorder.endStep('rollback', 'FAILED', { restored, removed, problems })
    await recorder.transition('FAILED', { finishedAt: new Date(), outcome })
    await audit(db, SYSTEM_ACTOR, { action: 'deployment.rollback_failed', outcome: 'failure', targetType: 'deployment', targetId: ctx.deploymentId, environmentId: ctx.environmentId, summary: { reason, problems } })
    await notifyDeploymentFinished(db, ctx.deploymentId)
    return 'FAILED'
  }
  const final: DeploymentStatus = cancelled ? 'CANCELLED' : 'ROLLED_BACK'
  const outcome = `${headline(reason, cancelled)}. Rolled back: ${summary}.`
  await recorder.endStep('rollback', 'SUCCEEDED', { restored, removed, leftovers: leftovers.map((c) => c.name) })
  await recorder.transition(final, { finishedAt: new Date(), outcome })
  await audit(db, SYSTEM_ACTOR, { action: cancelled ? 'deployment.cancelled' : 'deployment.rolled_back', outcome: 'failure', targetType: 'deployment', targetId: ctx.deploymentId, environmentId: ctx.environmentId, summary: { reason, restored, removed } })
  await notifyDeploymentFinished(db, ctx.deploymentId)
  return final
}

/** "Failed: web did not become healthy…" — service names keep their case. */
function headline(reason: string, cancelled: boolean) {
  return cancelled ? 'Cancelled by an operator' : `Failed: ${reason}`
}
