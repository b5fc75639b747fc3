// Wires the real adapters into the services. The only place that picks implementations;
// tests build their own Services with fakes of the ports.
import { db, type Db } from './db'
import { dockerStackRuntime } from './infra/docker-stack-runtime'
import type { JobQueue, StackRuntime } from './infra/ports'
import { bullJobQueue } from './infra/queues'
import { bullBackupQueue } from './infra/backup-queue'
import type { BackupJobQueue } from './modules/backup/backup-jobs'

export type Services = { db: Db; queue: JobQueue; runtime: StackRuntime; backupQueue?: BackupJobQueue }

export function services(): Services {
  return { db: db(), queue: bullJobQueue, runtime: dockerStackRuntime, backupQueue: bullBackupQueue() }
}
