// Failed backups, verifications and drills are loud: an `error` log line with an alert field
// (log alerting), a notification (portal bell and webhooks), and the dashboard banner, which
// reads the failure straight from the Backup / BackupDrill rows (backupHealth).
import type { Db } from '@/server/db'
import type { Logger } from '@/server/logger'
import { notify } from '@/server/modules/notification/notify'

export type BackupAlert = {
  type: 'backup.failed' | 'backup.verify_failed' | 'backup.drill_failed' | 'restore.failed'
  environmentId: string
  environmentName: string
  /** The backup, drill or restore id: one alert per fact, even when a job is retried. */
  subjectId: string
  message: string
}

const TITLES: Record<BackupAlert['type'], string> = {
  'backup.failed': 'backup failed',
  'backup.verify_failed': 'backup verification FAILED',
  'backup.drill_failed': 'DR drill FAILED',
  'restore.failed': 'restore failed',
}

export async function raiseBackupAlert(deps: { db: Db; log: Logger }, alert: BackupAlert) {
  deps.log.error(`BACKUP ALERT ${alert.environmentName}: ${TITLES[alert.type]}: ${alert.message}`, {
    alert: alert.type.replace('.', '_'),
    environmentId: alert.environmentId,
    subjectId: alert.subjectId,
  })
  try {
    await notify(deps.db, {
      type: alert.type,
      severity: 'critical',
      title: `${alert.environmentName}: ${TITLES[alert.type]}`,
      body: `${alert.message} Open the Backups page, fix the cause, then run it again.`,
      link: `/backups?environment=${alert.environmentId}`,
      environmentId: alert.environmentId,
      data: { subjectId: alert.subjectId },
      audience: { roles: ['OPERATOR', 'APPROVER', 'ADMIN'] },
      dedupeKey: `${alert.type}:${alert.subjectId}`,
    })
  } catch (error) {
    // The log line above already fired; a broken notification table must not hide the alert.
    deps.log.error('Could not record the backup notification', { err: (error as Error).message, subjectId: alert.subjectId })
  }
}
