// BullMQ wiring of the backup queue (beside queues.ts, which holds the deploy queues): adds
// jobs, upserts/removes the per-environment job schedulers and reads their next runs.
import { Queue } from 'bullmq'
import { backupJobPayload, BACKUP_QUEUE, nextScheduledRuns, syncBackupSchedules, type BackupJobQueue } from '@/server/modules/backup/backup-jobs'
import { bullPrefix, DEFAULT_JOB_OPTIONS } from './queues'
import { createBullConnection } from './redis'

type Holder = { connection: ReturnType<typeof createBullConnection>; queue: Queue }
const globalForBackupQueue = globalThis as unknown as { traiderBackupQueue?: Holder }

function backupQueue(): Queue {
  if (!globalForBackupQueue.traiderBackupQueue) {
    const connection = createBullConnection('queue')
    globalForBackupQueue.traiderBackupQueue = { connection, queue: new Queue(BACKUP_QUEUE, { connection, prefix: bullPrefix(), defaultJobOptions: DEFAULT_JOB_OPTIONS }) }
  }
  return globalForBackupQueue.traiderBackupQueue.queue
}

// Backups and restores are not retried blindly: a failed one is recorded and alerted, and a
// person (or the next schedule) runs it again.
export const BACKUP_JOB_OPTIONS = { ...DEFAULT_JOB_OPTIONS, attempts: 1 } as const

export function bullBackupQueue(queue: () => Queue = backupQueue): BackupJobQueue {
  return {
    async enqueue(payload, options = {}) {
      const data = backupJobPayload.parse(payload)
      await queue().add(data.op, data, { ...BACKUP_JOB_OPTIONS, jobId: options.jobId })
    },
    async syncSchedules(environmentId, config) {
      await syncBackupSchedules(queue(), environmentId, config, BACKUP_JOB_OPTIONS)
    },
    nextRuns: (environmentId) => nextScheduledRuns(queue(), environmentId),
  }
}

export async function closeBackupQueue() {
  const held = globalForBackupQueue.traiderBackupQueue
  globalForBackupQueue.traiderBackupQueue = undefined
  if (!held) return
  await held.queue.close()
  await held.connection.quit()
}
