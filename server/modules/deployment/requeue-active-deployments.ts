// At worker start: queue again every deployment the database says is still active, so one
// whose job was lost (Redis flushed, enqueue failed after commit) is resumed or rolled back;
// and give every request still waiting for approval a fresh gate check (its delayed
// re-check after a wait timer or freeze window may have been lost the same way).
import type { Db } from '@/server/db'
import type { JobQueue } from '@/server/infra/ports'
import { ACTIVE_STATUSES } from './deployment-state'

export async function requeueActiveDeployments(deps: { db: Db }, queue: Pick<JobQueue, 'enqueueDeployment' | 'enqueueDeploymentGate'>): Promise<number> {
  const active = await deps.db.deployment.findMany({
    where: { status: { in: [...ACTIVE_STATUSES] } },
    orderBy: { requestedAt: 'asc' },
    select: { id: true, status: true },
  })
  const now = new Date()
  for (const d of active) {
    if (d.status === 'REQUESTED') await queue.enqueueDeploymentGate(d.id, now)
    else await queue.enqueueDeployment(d.id)
  }
  return active.length
}
