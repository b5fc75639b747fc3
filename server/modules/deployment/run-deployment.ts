// The deploy engine: runs one deployment through preflight → backup → rolling out →
// verifying → succeeded, rolling back on any failure. Safe to call again for the same
// deployment (a retried or stalled job): it resumes from what Postgres says happened.
import { audit, SYSTEM_ACTOR } from '@/server/modules/audit/audit'
import type { DeploymentStatus, Tier } from '@/generated/prisma/enums'
import { notifyDeploymentFinished, notifyDeploymentStarted } from '@/server/modules/notification/deployment-events'
import { CHANGING_STATUSES, isTerminal } from './deployment-state'
import { DeploymentRecorder } from './deployment-recorder'
import { DeploymentCancelled, RolloutFailure, type EngineContext, type EngineDeps } from './engine-context'
import { checkDeploymentGates } from './deployment-gates'
import { defaultSecretStoreResolver } from '@/server/modules/secret/deployment-secrets'
import { runPreflight } from './preflight'
import type { ReleasePlan } from './release-plan'
import { rollBack } from './rollback'
import { removeReplacedContainers, rollOut, verifyBake } from './rollout'

const STATUS_WORDS: Partial<Record<DeploymentStatus, string>> = { ROLLING_OUT: 'the rollout', VERIFYING: 'the bake window', ROLLING_BACK: 'a rollback' }

export async function runDeployment(deps: EngineDeps, deploymentId: string): Promise<DeploymentStatus | null> {
  const row = await deps.db.deployment.findUnique({ where: { id: deploymentId }, include: { release: true, environment: true } })
  if (!row) return null
  if (row.status === 'REQUESTED') return row.status
  if (isTerminal(row.status)) {
    // A job re-run after a crash between the final write and its notification: notify now
    // (deduplicated, so a notification that was sent is not sent again).
    await notifyDeploymentFinished(deps.db, row.id)
    return row.status
  }

  const recorder = new DeploymentRecorder(deps.db, row.id, row.status, deps.stepObserver)
  const ctx: EngineContext = {
    deps,
    deploymentId: row.id,
    number: row.number,
    environmentId: row.environmentId,
    endpoint: { url: row.environment.dockerEndpoint, tlsPath: row.environment.dockerTlsPath },
    plan: row.release.plan as unknown as ReleasePlan,
    bakeSeconds: row.bakeSeconds,
    recorder,
  }

  if (CHANGING_STATUSES.includes(row.status)) {
    // A worker died while containers were changing: never guess how far it got, put the
    // previous state back from the per-service records.
    const reason = `the worker running this deployment stopped during ${STATUS_WORDS[row.status]}`
    await recorder.log(null, `resumed by a new worker: ${reason}`, 'warn')
    return rollBack(ctx, reason, { cancelled: row.cancelRequestedAt !== null })
  }

  // QUEUED, PREFLIGHT or BACKUP: nothing on the host has changed yet, so (re)start at preflight.
  await recorder.transition('PREFLIGHT', row.startedAt ? {} : { startedAt: new Date() })
  await notifyDeploymentStarted(deps.db, row.id)
  if (row.cancelRequestedAt) return finishCancelledBeforeChange(ctx)

  await recorder.startStep('preflight')
  const checks = await runPreflight(
    { runtime: deps.runtime, minFreeDiskBytes: deps.settings.minFreeDiskBytes, secrets: () => (deps.secrets ?? defaultSecretStoreResolver(deps.db))(row.environmentId) },
    { endpoint: ctx.endpoint, tier: row.environment.tier as Tier, plan: ctx.plan },
  )
  for (const check of checks) await recorder.log('preflight', `${check.ok ? '✓' : '✗'} ${check.name}: ${check.message}`, check.ok ? 'info' : 'error')
  const refused = checks.filter((c) => !c.ok)
  if (refused.length > 0) {
    await recorder.endStep('preflight', 'FAILED', { checks })
    const outcome = `Preflight refused the deployment; nothing on the host was changed. ${refused.map((c) => `${c.name}: ${c.message}`).join(' · ')}`
    await recorder.transition('FAILED', { finishedAt: new Date(), outcome })
    await audit(deps.db, SYSTEM_ACTOR, { action: 'deployment.preflight_refused', outcome: 'failure', targetType: 'deployment', targetId: row.id, environmentId: row.environmentId, summary: { refused: refused.map((c) => c.name) } })
    await notifyDeploymentFinished(deps.db, row.id)
    return 'FAILED'
  }
  await recorder.endStep('preflight', 'SUCCEEDED', { checks })

  await recorder.transition('BACKUP')
  await recorder.startStep('backup')
  if (deps.backup) {
    const backup = await deps.backup({ deploymentId: row.id, environmentId: row.environmentId }).catch((error: unknown) => ({
      status: 'FAILED' as const,
      detail: `the pre-deploy backup could not run: ${(error as Error).message}`,
      backupId: undefined,
    }))
    await recorder.log('backup', backup.detail, backup.status === 'FAILED' ? 'error' : 'info')
    await recorder.endStep('backup', backup.status, { detail: backup.detail, backupId: backup.backupId ?? null })
    if (backup.status === 'FAILED') {
      // No backup, no change: a deployment must never run without the copy it promised.
      const outcome = `The pre-deploy backup failed; nothing on the host was changed. ${backup.detail} Fix the backup (Backups page), then deploy again.`
      await recorder.transition('FAILED', { finishedAt: new Date(), outcome })
      await audit(deps.db, SYSTEM_ACTOR, { action: 'deployment.backup_failed', outcome: 'failure', targetType: 'deployment', targetId: row.id, environmentId: row.environmentId, summary: { backupId: backup.backupId ?? null } })
      await notifyDeploymentFinished(deps.db, row.id)
      return 'FAILED'
    }
  } else {
    await recorder.log('backup', 'no backup engine is configured for this environment yet: skipped')
    await recorder.endStep('backup', 'SKIPPED', { detail: 'no backup engine configured' })
  }
  if (await recorder.cancelRequested()) return finishCancelledBeforeChange(ctx)

  await recorder.transition('ROLLING_OUT')
  try {
    await recorder.startStep('rollout')
    await rollOut(ctx)
    await recorder.endStep('rollout', 'SUCCEEDED')
    await recorder.transition('VERIFYING')
    await recorder.startStep('verify')
    await verifyBake(ctx)
    await checkDeploymentGates(ctx)
    await recorder.endStep('verify', 'SUCCEEDED')
  } catch (error) {
    const step = recorder.current === 'VERIFYING' ? 'verify' : 'rollout'
    await recorder.endStep(step, 'FAILED', { error: (error as Error).message })
    if (error instanceof DeploymentCancelled) return rollBack(ctx, 'cancelled by an operator', { cancelled: true })
    const reason = error instanceof RolloutFailure ? error.message : `unexpected error: ${(error as Error).message}`
    return rollBack(ctx, reason)
  }

  await removeReplacedContainers(ctx)
  const changed = await deps.db.deploymentService.count({ where: { deploymentId: row.id, action: { not: 'unchanged' } } })
  await recorder.transition('SUCCEEDED', { finishedAt: new Date(), outcome: `Release ${row.release.number} is running: ${changed} service${changed === 1 ? '' : 's'} changed.` })
  await audit(deps.db, SYSTEM_ACTOR, { action: 'deployment.succeeded', targetType: 'deployment', targetId: row.id, environmentId: row.environmentId, summary: { release: row.release.number, changed } })
  await notifyDeploymentFinished(deps.db, row.id)
  return 'SUCCEEDED'
}

async function finishCancelledBeforeChange(ctx: EngineContext): Promise<DeploymentStatus> {
  await ctx.recorder.log(null, 'cancelled before anything on the host changed')
  await ctx.recorder.transition('CANCELLED', { finishedAt: new Date(), outcome: 'Cancelled before anything on the host changed.' })
  await audit(ctx.deps.db, SYSTEM_ACTOR, { action: 'deployment.cancelled', targetType: 'deployment', targetId: ctx.deploymentId, environmentId: ctx.environmentId })
  return 'CANCELLED'
}
