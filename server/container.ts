// Wires the real adapters into the services. The only place that picks implementations;
// tests build their own Services with fakes of the ports.
import { db, type Db } from './db'
import type { JobQueue } from './infra/ports'
import { bullJobQueue } from './infra/queues'

export type Services = { db: Db; queue: JobQueue }

export function services(): Services {
  return { db: db(), queue: bullJobQueue }
}
