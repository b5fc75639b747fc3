// Which backup "roll back and also restore the database" would restore: the verified pre-deploy
// backup taken by the deployment that moved the environment off the target release, i.e. the
// database as it was while that release last ran, just before the change that replaced it.
import type { Db } from '@/server/db'

export type RollbackRestorePoint =
  | {
      available: true
      backup: { id: string; kind: string; engine: string; startedAt: Date; sizeBytes: bigint | null }
      deployment: { id: string; number: number }
    }
  | { available: false; reason: string }

export async function findRollbackRestorePoint(db: Db, environmentId: string, releaseId: string): Promise<RollbackRestorePoint> {
  const config = await db.backupConfig.findUnique({ where: { environmentId }, select: { environmentId: true } })
  if (!config) return { available: false, reason: 'Backups are not set up for this environment, so no pre-deploy backup exists.' }
  const lastRun = await db.deployment.findFirst({
    where: { environmentId, releaseId, status: 'SUCCEEDED' },
    orderBy: { finishedAt: 'desc' },
    select: { finishedAt: true, release: { select: { number: true } } },
  })
  if (!lastRun?.finishedAt) return { available: false, reason: 'That release never finished successfully here.' }
  // The deployment that replaced the release: the first one after it that succeeded with another release.
  const replacedBy = await db.deployment.findFirst({
    where: { environmentId, status: 'SUCCEEDED', releaseId: { not: releaseId }, finishedAt: { gt: lastRun.finishedAt } },
    orderBy: { finishedAt: 'asc' },
    select: { id: true, number: true },
  })
  if (!replacedBy) return { available: false, reason: `Release ${lastRun.release.number} is the one running now: there is nothing to restore.` }
  const backup = await db.backup.findFirst({
    where: { deploymentId: replacedBy.id, trigger: 'PRE_DEPLOY', status: 'SUCCEEDED', verified: true },
    orderBy: { startedAt: 'desc' },
    select: { id: true, kind: true, engine: true, startedAt: true, sizeBytes: true },
  })
  if (!backup) {
    return {
      available: false,
      reason: `Deployment #${replacedBy.number}, which replaced release ${lastRun.release.number}, has no verified pre-deploy backup: restore a backup from the Backups page instead if you need the data back.`,
    }
  }
  return { available: true, backup, deployment: replacedBy }
}
