// Takes one backup end to end: records it (RUNNING), runs the environment's engine where the
// database is, records size, SHA-256, artifact and table counts, then proves it at once
// (verifyBackup). Any failure is recorded on the row, audited and raised as an alert.
import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import type { Backup, BackupConfig, Environment } from '@/generated/prisma/client'
import type { BackupKind, BackupTrigger } from '@/generated/prisma/enums'
import type { Db } from '@/server/db'
import { DomainError } from '@/server/errors'
import type { Logger } from '@/server/logger'
import { audit, SYSTEM_ACTOR, type AuditActor } from '@/server/modules/audit/audit'
import { raiseBackupAlert } from './backup-alerts'
import { dumpPath, resolveDbTarget, type RunnerResolver } from './backup-target'
import { countTables, type DbTarget, type TableCounts } from './db-target'
import { takeLogicalBackup, verifyLogicalDump } from './pg-dump-engine'
import { takePhysicalBackup, verifyPhysicalBackup } from './pgbackrest-engine'

export type BackupDeps = { db: Db; resolveRunner: RunnerResolver; backupDir: string; log: Logger }

export async function backupLog(db: Db, ref: { backupId?: string; restoreId?: string }, message: string, level: 'info' | 'warn' | 'error' = 'info') {
  await db.backupLog.create({ data: { backupId: ref.backupId ?? null, restoreId: ref.restoreId ?? null, message, level } })
}

export async function loadConfig(db: Db, environmentId: string): Promise<{ environment: Environment; config: BackupConfig }> {
  const environment = await db.environment.findUnique({ where: { id: environmentId }, include: { backupConfig: true } })
  if (!environment) throw new DomainError('NOT_FOUND', 'That environment was not found. It may have been deleted: reload the page.')
  if (!environment.backupConfig) {
    throw new DomainError('PRECONDITION_FAILED', `Backups are not set up for ${environment.name}: open the Backups page and say where its database is.`)
  }
  const { backupConfig, ...env } = environment
  return { environment: env, config: backupConfig }
}

/** Which kind a request turns into for this engine: pg_dump only makes LOGICAL backups. */
export function backupKindFor(engine: BackupConfig['engine'], wanted: 'FULL' | 'INCREMENTAL' | 'AUTO'): BackupKind {
  if (engine === 'PG_DUMP') return 'LOGICAL'
  return wanted === 'FULL' ? 'FULL' : 'INCREMENTAL'
}

export async function createBackupRecord(
  deps: { db: Db },
  actor: AuditActor,
  input: { environmentId: string; kind: 'FULL' | 'INCREMENTAL' | 'AUTO'; trigger: BackupTrigger; deploymentId?: string },
): Promise<Backup> {
  const { config } = await loadConfig(deps.db, input.environmentId)
  return deps.db.$transaction(async (tx) => {
    const backup = await tx.backup.create({
      data: { environmentId: input.environmentId, engine: config.engine, kind: backupKindFor(config.engine, input.kind), trigger: input.trigger, deploymentId: input.deploymentId ?? null },
    })
    await audit(tx, actor, { action: 'backup.requested', targetType: 'backup', targetId: backup.id, environmentId: input.environmentId, summary: { kind: backup.kind, trigger: backup.trigger, deploymentId: input.deploymentId ?? null } })
    return backup
  })
}

/** Runs a RUNNING backup record. Returns the final row; never throws for a failed backup. */
export async function runBackup(deps: BackupDeps, backupId: string): Promise<Backup> {
  const backup = await deps.db.backup.findUniqueOrThrow({ where: { id: backupId } })
  if (backup.status !== 'RUNNING') return backup
  const started = Date.now()
  let environment: Environment | null = null
  try {
    const loaded = await loadConfig(deps.db, backup.environmentId)
    environment = loaded.environment
    const runner = await deps.resolveRunner(loaded)
    const target = await resolveDbTarget(deps.db, loaded.config, runner)
    await backupLog(deps.db, { backupId }, `${backup.kind.toLowerCase()} backup of database ${target.database} started on ${runner.where}`)
    const result = await takeWithEngine(deps, target, backup, environment.slug)
    const durationMs = Date.now() - started
    await deps.db.backup.update({
      where: { id: backupId },
      data: { status: 'SUCCEEDED', finishedAt: new Date(), durationMs, sizeBytes: BigInt(result.sizeBytes), sha256: result.sha256, artifact: result.artifact, tableCounts: result.tableCounts, kind: result.kind },
    })
    await backupLog(deps.db, { backupId }, `written: ${result.artifact}, ${result.sizeBytes} bytes, SHA-256 ${result.sha256} in ${(durationMs / 1000).toFixed(1)} s`)
    await audit(deps.db, SYSTEM_ACTOR, { action: 'backup.succeeded', targetType: 'backup', targetId: backupId, environmentId: backup.environmentId, summary: { kind: result.kind, sizeBytes: result.sizeBytes, sha256: result.sha256 } })
  } catch (error) {
    const message = (error as Error).message
    await deps.db.backup.update({ where: { id: backupId }, data: { status: 'FAILED', finishedAt: new Date(), durationMs: Date.now() - started, error: message } })
    await backupLog(deps.db, { backupId }, `failed: ${message}`, 'error')
    await audit(deps.db, SYSTEM_ACTOR, { action: 'backup.failed', outcome: 'failure', targetType: 'backup', targetId: backupId, environmentId: backup.environmentId, summary: { kind: backup.kind } })
    await raiseBackupAlert(deps, { type: 'backup.failed', environmentId: backup.environmentId, environmentName: environment?.name ?? backup.environmentId, subjectId: backupId, message })
    return deps.db.backup.findUniqueOrThrow({ where: { id: backupId } })
  }
  return verifyBackup(deps, backupId)
}

async function takeWithEngine(deps: BackupDeps, target: DbTarget, backup: Backup, slug: string) {
  if (backup.engine === 'PG_DUMP') {
    const file = dumpPath(deps.backupDir, slug, backup.id)
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
    try {
      const result = await takeLogicalBackup(target, file)
      return { ...result, artifact: file, kind: 'LOGICAL' as BackupKind }
    } catch (error) {
      await rm(file, { force: true })
      throw error
    }
  }
  const made = await takePhysicalBackup(target, backup.kind === 'FULL' ? 'full' : 'incr', { log: (message) => backupLog(deps.db, { backupId: backup.id }, message) })
  // Counted after the backup ended: the drill compares a restore of this set against them.
  const tableCounts = await countTables(target)
  return { sha256: made.sha256, sizeBytes: made.sizeBytes, tableCounts, artifact: made.label, kind: (made.type === 'full' ? 'FULL' : 'INCREMENTAL') as BackupKind }
}

/** Proves a finished backup again (checksum + engine check); records ✓/✗ and alerts on ✗. */
export async function verifyBackup(deps: BackupDeps, backupId: string): Promise<Backup> {
  const backup = await deps.db.backup.findUniqueOrThrow({ where: { id: backupId }, include: { environment: true } })
  if (backup.status !== 'SUCCEEDED' || !backup.artifact || !backup.sha256) {
    throw new DomainError('PRECONDITION_FAILED', `Backup ${backupId} has no finished artifact to verify (status ${backup.status.toLowerCase()}).`)
  }
  let report: { ok: boolean; detail: string }
  try {
    if (backup.engine === 'PG_DUMP') {
      report = await verifyLogicalDump(backup.artifact, { sha256: backup.sha256, tableCounts: (backup.tableCounts ?? {}) as TableCounts })
    } else {
      const loaded = await loadConfig(deps.db, backup.environmentId)
      const target = await resolveDbTarget(deps.db, loaded.config, await deps.resolveRunner(loaded))
      report = await verifyPhysicalBackup(target, backup.artifact, backup.sha256)
    }
  } catch (error) {
    report = { ok: false, detail: `The verification could not run: ${(error as Error).message}` }
  }
  await deps.db.backup.update({ where: { id: backupId }, data: { verified: report.ok, verifiedAt: new Date(), verifyDetail: report.detail } })
  await backupLog(deps.db, { backupId }, `${report.ok ? 'verified ✓' : 'verification FAILED ✗'}: ${report.detail}`, report.ok ? 'info' : 'error')
  await audit(deps.db, SYSTEM_ACTOR, { action: 'backup.verified', outcome: report.ok ? 'success' : 'failure', targetType: 'backup', targetId: backupId, environmentId: backup.environmentId, summary: { ok: report.ok } })
  if (!report.ok) {
    await raiseBackupAlert(deps, { type: 'backup.verify_failed', environmentId: backup.environmentId, environmentName: backup.environment.name, subjectId: `${backupId}:${Date.now()}`, message: report.detail })
  }
  return deps.db.backup.findUniqueOrThrow({ where: { id: backupId } })
}
