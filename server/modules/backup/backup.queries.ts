// Read models of backups: the per-environment page, and health facts (last successful and
// last verified backup, failures, last drill) for the dashboard badge, the banner and metrics.
import type { Db } from '@/server/db'

export type BackupHealth = {
  environmentId: string
  environmentName: string
  tier: string
  engine: string
  rpoTargetMinutes: number
  lastSuccessfulAt: Date | null
  lastVerifiedAt: Date | null
  /** Backups that failed, or failed verification, in the last 24 h. */
  failures24h: number
  lastDrill: { at: Date; ok: boolean; restoreSeconds: number | null; dataAgeSeconds: number | null } | null
  /** The newest fact is a failure (backup, verification or drill): the banner shows it until a later success. */
  failing: { kind: 'backup' | 'verify' | 'drill'; at: Date; message: string } | null
}

/** One row per environment with backups set up. For the observability helper's gauges, too. */
export async function backupHealth(db: Db, now = new Date()): Promise<BackupHealth[]> {
  const configs = await db.backupConfig.findMany({ include: { environment: { select: { name: true, tier: true } } } })
  const since = new Date(now.getTime() - 24 * 3600_000)
  return Promise.all(
    configs.map(async (c) => {
      const [lastOk, lastVerified, failures, lastDrill, lastFinished] = await Promise.all([
        db.backup.findFirst({ where: { environmentId: c.environmentId, status: { in: ['SUCCEEDED', 'PRUNED'] } }, orderBy: { startedAt: 'desc' }, select: { startedAt: true } }),
        db.backup.findFirst({ where: { environmentId: c.environmentId, status: 'SUCCEEDED', verified: true }, orderBy: { startedAt: 'desc' }, select: { startedAt: true } }),
        db.backup.count({ where: { environmentId: c.environmentId, startedAt: { gte: since }, OR: [{ status: 'FAILED' }, { verified: false }] } }),
        db.backupDrill.findFirst({ where: { environmentId: c.environmentId }, orderBy: { startedAt: 'desc' } }),
        db.backup.findFirst({ where: { environmentId: c.environmentId, status: { in: ['SUCCEEDED', 'FAILED'] } }, orderBy: [{ verifiedAt: { sort: 'desc', nulls: 'last' } }, { startedAt: 'desc' }] }),
      ])
      const latest = await db.backup.findFirst({ where: { environmentId: c.environmentId, status: { in: ['SUCCEEDED', 'FAILED'] } }, orderBy: { startedAt: 'desc' } })
      let failing: BackupHealth['failing'] = null
      if (latest?.status === 'FAILED') failing = { kind: 'backup', at: latest.startedAt, message: latest.error ?? 'the backup failed' }
      else if (lastFinished?.verified === false) failing = { kind: 'verify', at: lastFinished.verifiedAt ?? lastFinished.startedAt, message: lastFinished.verifyDetail ?? 'verification failed' }
      if (lastDrill && !lastDrill.ok && (!failing || lastDrill.startedAt > failing.at)) failing = { kind: 'drill', at: lastDrill.startedAt, message: lastDrill.error ?? 'the drill failed' }
      return {
        environmentId: c.environmentId,
        environmentName: c.environment.name,
        tier: c.environment.tier,
        engine: c.engine,
        rpoTargetMinutes: c.rpoTargetMinutes,
        lastSuccessfulAt: lastOk?.startedAt ?? null,
        lastVerifiedAt: lastVerified?.startedAt ?? null,
        failures24h: failures,
        lastDrill: lastDrill ? { at: lastDrill.startedAt, ok: lastDrill.ok, restoreSeconds: lastDrill.restoreSeconds, dataAgeSeconds: lastDrill.dataAgeSeconds } : null,
        failing,
      }
    }),
  )
}

export async function listBackups(db: Db, environmentId: string, limit = 100) {
  const backups = await db.backup.findMany({ where: { environmentId }, orderBy: { startedAt: 'desc' }, take: limit })
  const deploymentIds = backups.map((b) => b.deploymentId).filter((d): d is string => !!d)
  const deployments = deploymentIds.length ? await db.deployment.findMany({ where: { id: { in: deploymentIds } }, select: { id: true, number: true } }) : []
  const numbers = new Map(deployments.map((d) => [d.id, d.number]))
  return backups.map((b) => ({
    id: b.id,
    engine: b.engine,
    kind: b.kind,
    trigger: b.trigger,
    status: b.status,
    startedAt: b.startedAt,
    finishedAt: b.finishedAt,
    durationMs: b.durationMs,
    sizeBytes: b.sizeBytes === null ? null : Number(b.sizeBytes),
    sha256: b.sha256,
    artifact: b.artifact,
    verified: b.verified,
    verifiedAt: b.verifiedAt,
    verifyDetail: b.verifyDetail,
    error: b.error,
    deployment: b.deploymentId ? { id: b.deploymentId, number: numbers.get(b.deploymentId) ?? null } : null,
    tables: b.tableCounts ? Object.keys(b.tableCounts as object).length : null,
  }))
}

export function listDrills(db: Db, environmentId: string, limit = 30) {
  return db.backupDrill.findMany({ where: { environmentId }, orderBy: { startedAt: 'desc' }, take: limit })
}

export function listRestores(db: Db, environmentId: string, limit = 30) {
  return db.restore.findMany({ where: { environmentId }, orderBy: { requestedAt: 'desc' }, take: limit })
}

export async function backupLogLines(db: Db, ref: { backupId?: string; restoreId?: string }, afterId: string) {
  const rows = await db.backupLog.findMany({
    where: { ...(ref.backupId ? { backupId: ref.backupId } : { restoreId: ref.restoreId }), ...(afterId ? { id: { gt: BigInt(afterId) } } : {}) },
    orderBy: { id: 'asc' },
    take: 500,
  })
  return rows.map((r) => ({ id: r.id.toString(), at: r.at, level: r.level, message: r.message }))
}
