// At worker start: queue again every restore the database says is QUEUED or RUNNING. The job
// id is the restore's, so one whose job still exists is left alone; one whose job was lost
// (Redis flushed, enqueue failed after commit) runs, or, if it was RUNNING, is failed loudly.
import type { Db } from '@/server/db'
import type { BackupJobQueue } from './backup-jobs'
import { enqueueRestore } from './backup.service'

export async function requeueStrandedRestores(deps: { db: Db; queue: Pick<BackupJobQueue, 'enqueue'> }): Promise<number> {
  const stranded = await deps.db.restore.findMany({ where: { status: { in: ['QUEUED', 'RUNNING'] } }, orderBy: { requestedAt: 'asc' }, select: { id: true } })
  for (const r of stranded) await enqueueRestore(deps.queue, r.id)
  return stranded.length
}
