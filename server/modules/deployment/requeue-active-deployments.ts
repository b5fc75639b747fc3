// At worker start: queue again every deployment the database says is still active, so one
// whose job was lost (Redis flushed, enqueue failed after commit) is resumed or rolled back.
import type { Db } from '@/server/db'
import type { JobQueue } from '@/server/infra/ports'
import { ACTIVE_STATUSES } from './deployment-state'

export async function requeueActiveDeployments(deps: { db: Db }, queue: Pick<JobQueue, 'enqueueDeployment'>): Promise<number> {
  const active = await deps.db.deployment.findMany({
    // REQUESTED waits for approvals and is not runnable yet.
    where: { status: { in: ACTIVE_STATUSES.filter((s) => s !== 'REQUESTED') } },
    orderBy: { requestedAt: 'asc' },
    select: { id: true },
  })
  for (const d of active) await queue.enqueueDeployment(d.id)
  return active.length
}
