// The deploy engine's backup step (EngineDeps.backup): a backup of the environment's database
// taken and proven before any container changes, linked to the deployment. A failed or
// unverified backup answers FAILED, which stops the deployment with nothing changed.
import type { PreDeployBackup } from '@/server/modules/deployment/engine-context'
import { SYSTEM_ACTOR } from '@/server/modules/audit/audit'
import { createBackupRecord, runBackup, type BackupDeps } from './run-backup'

export function preDeployBackup(deps: BackupDeps): PreDeployBackup {
  return async ({ deploymentId, environmentId }) => {
    const config = await deps.db.backupConfig.findUnique({ where: { environmentId } })
    if (!config) return { status: 'SKIPPED', detail: 'backups are not set up for this environment (Backups page): no pre-deploy backup taken' }
    // A retried job reuses the backup it already took for this deployment.
    const earlier = await deps.db.backup.findFirst({ where: { deploymentId, trigger: 'PRE_DEPLOY', status: 'SUCCEEDED', verified: true }, orderBy: { startedAt: 'desc' } })
    const done = earlier ?? (await runBackup(deps, (await createBackupRecord(deps, SYSTEM_ACTOR, { environmentId, kind: 'INCREMENTAL', trigger: 'PRE_DEPLOY', deploymentId })).id))
    if (done.status !== 'SUCCEEDED') return { status: 'FAILED', detail: `pre-deploy backup ${done.id} failed: ${done.error ?? 'unknown error'}`, backupId: done.id }
    if (done.verified !== true) return { status: 'FAILED', detail: `pre-deploy backup ${done.id} did not pass verification: ${done.verifyDetail ?? 'not verified'}`, backupId: done.id }
    const size = done.sizeBytes === null ? '' : `, ${done.sizeBytes} bytes`
    return { status: 'SUCCEEDED', detail: `pre-deploy ${done.kind.toLowerCase()} backup ${done.id} taken and verified${size}, SHA-256 ${done.sha256?.slice(0, 12)}…`, backupId: done.id }
  }
}
