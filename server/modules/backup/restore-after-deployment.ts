// A restore requested together with a rollback runs only after that rollback has succeeded:
// while it is still active the restore waits; if it ends any other way the restore is
// cancelled, never run, and the database is left as it is.
import type { Db } from '@/server/db'
import { isActive } from '@/server/modules/deployment/deployment-state'
import { audit, SYSTEM_ACTOR } from '@/server/modules/audit/audit'

export type RestoreGo = { state: 'run' } | { state: 'wait'; retryInMs: number } | { state: 'cancelled'; reason: string }

/** Polling a rollback that is rolling out is frequent; one still waiting for approvals is not. */
const RUNNING_POLL_MS = 3_000
const AWAITING_APPROVAL_POLL_MS = 30_000

export async function restoreMayRun(db: Db, restoreId: string): Promise<RestoreGo> {
  const restore = await db.restore.findUnique({ where: { id: restoreId }, select: { afterDeploymentId: true, status: true, environmentId: true } })
  if (!restore?.afterDeploymentId) return { state: 'run' }
  if (restore.status !== 'QUEUED' && restore.status !== 'WAITING_APPROVAL') return { state: 'run' } // runRestore ignores it
  const deployment = await db.deployment.findUnique({ where: { id: restore.afterDeploymentId }, select: { number: true, status: true } })
  if (!deployment) return cancel(db, restore, restoreId, 'the rollback it was requested with no longer exists')
  if (deployment.status === 'SUCCEEDED') return { state: 'run' }
  if (isActive(deployment.status)) return { state: 'wait', retryInMs: deployment.status === 'REQUESTED' ? AWAITING_APPROVAL_POLL_MS : RUNNING_POLL_MS }
  return cancel(db, restore, restoreId, `rollback #${deployment.number} ended ${deployment.status.toLowerCase().replace('_', ' ')}, not succeeded`)
}

async function cancel(db: Db, restore: { environmentId: string }, restoreId: string, why: string): Promise<RestoreGo> {
  const reason = `Not run: ${why}. The database was not touched; request a restore on the Backups page if you still need one.`
  await db.$transaction(async (tx) => {
    const changed = await tx.restore.updateMany({ where: { id: restoreId, status: { in: ['QUEUED', 'WAITING_APPROVAL'] } }, data: { status: 'CANCELLED', finishedAt: new Date(), outcome: reason } })
    if (changed.count === 1) await audit(tx, SYSTEM_ACTOR, { action: 'restore.cancelled', targetType: 'restore', targetId: restoreId, environmentId: restore.environmentId, summary: { reason } })
  })
  return { state: 'cancelled', reason }
}
