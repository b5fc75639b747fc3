// BullMQ processor of the backup queue: runs backups (manual and scheduled), verifications,
// DR drills, retention and restores. Failures are recorded on their rows and raised as alerts
// by the module; an unreadable payload is unrecoverable.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq'
import type { Logger } from '@/server/logger'
import { SYSTEM_ACTOR } from '@/server/modules/audit/audit'
import { backupJobPayload } from '@/server/modules/backup/backup-jobs'
import { pruneBackups } from '@/server/modules/backup/prune-backups'
import { createBackupRecord, runBackup, verifyBackup } from '@/server/modules/backup/run-backup'
import { runDrill } from '@/server/modules/backup/run-drill'
import { restoreMayRun } from '@/server/modules/backup/restore-after-deployment'
import { runRestore, type RestoreDeps } from '@/server/modules/backup/run-restore'

export function createBackupProcessor(deps: RestoreDeps, log: Logger) {
  return async function processBackupJob(job: Job, token?: string) {
    const parsed = backupJobPayload.safeParse(job.data)
    if (!parsed.success) throw new UnrecoverableError(`Job ${job.id} in ${job.queueName} has an unreadable payload: ${parsed.error.message}`)
    const payload = parsed.data
    const jobDeps = { ...deps, log: log.child({ jobId: job.id, op: payload.op }) }
    switch (payload.op) {
      case 'run': {
        const done = await runBackup(jobDeps, payload.backupId)
        return { status: done.status, verified: done.verified }
      }
      case 'verify': {
        const done = await verifyBackup(jobDeps, payload.backupId)
        return { verified: done.verified }
      }
      case 'drill': {
        const drill = await runDrill(jobDeps, payload.environmentId)
        return { ok: drill.ok, drillId: drill.id }
      }
      case 'restore': {
        // Requested with a rollback: wait for it, without holding the worker, or drop it if it failed.
        const go = await restoreMayRun(deps.db, payload.restoreId)
        if (go.state === 'cancelled') return { status: 'CANCELLED', reason: go.reason }
        if (go.state === 'wait') {
          await job.moveToDelayed(Date.now() + go.retryInMs, token)
          throw new DelayedError()
        }
        const restore = await runRestore(jobDeps, payload.restoreId)
        return { status: restore.status }
      }
      case 'scheduled': {
        const config = await deps.db.backupConfig.findUnique({ where: { environmentId: payload.environmentId } })
        if (!config || !config.schedulesEnabled) {
          jobDeps.log.warn('Scheduled backup job for an environment without enabled backups: skipped', { environmentId: payload.environmentId })
          return { skipped: true }
        }
        if (payload.kind === 'drill') return { ok: (await runDrill(jobDeps, payload.environmentId)).ok }
        if (payload.kind === 'prune') return pruneBackups(jobDeps, payload.environmentId)
        const record = await createBackupRecord(deps, SYSTEM_ACTOR, { environmentId: payload.environmentId, kind: payload.kind === 'full' ? 'FULL' : 'INCREMENTAL', trigger: 'SCHEDULE' })
        const done = await runBackup(jobDeps, record.id)
        return { status: done.status, verified: done.verified }
      }
    }
  }
}
