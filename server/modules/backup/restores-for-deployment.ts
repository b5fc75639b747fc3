// The database restores requested together with a rollback ("roll back and also restore the
// database"), for that rollback's deployment page: status, outcome and the backup each restores.
import type { BackupEngine, BackupKind, BackupTrigger, RestoreMode, RestoreStatus } from '@/generated/prisma/enums'
import type { Db } from '@/server/db'

export type LinkedRestore = {
  id: string
  status: RestoreStatus
  mode: RestoreMode
  targetDatabase: string
  requestedAt: Date
  startedAt: Date | null
  finishedAt: Date | null
  outcome: string | null
  environment: { id: string; slug: string; name: string }
  /** Null when the backup row was pruned since (the restore keeps its id, not a foreign key). */
  backup: { id: string; kind: BackupKind; engine: BackupEngine; trigger: BackupTrigger; startedAt: Date; sizeBytes: number | null } | null
}

/** Newest first; an empty list when the deployment requested no restore (or does not exist). */
export async function restoresForDeployment(db: Db, deploymentId: string): Promise<LinkedRestore[]> {
  const restores = await db.restore.findMany({
    where: { afterDeploymentId: deploymentId },
    orderBy: { requestedAt: 'desc' },
    select: {
      id: true,
      status: true,
      mode: true,
      targetDatabase: true,
      requestedAt: true,
      startedAt: true,
      finishedAt: true,
      outcome: true,
      backupId: true,
      environment: { select: { id: true, slug: true, name: true } },
    },
  })
  const backupIds = restores.flatMap((r) => (r.backupId ? [r.backupId] : []))
  const backups = backupIds.length
    ? await db.backup.findMany({ where: { id: { in: backupIds } }, select: { id: true, kind: true, engine: true, trigger: true, startedAt: true, sizeBytes: true } })
    : []
  const byId = new Map(backups.map((b) => [b.id, { ...b, sizeBytes: b.sizeBytes === null ? null : Number(b.sizeBytes) }]))
  return restores.map(({ backupId, ...r }) => ({ ...r, backup: (backupId && byId.get(backupId)) || null }))
}
