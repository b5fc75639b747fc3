// The backup queue's versioned job payloads (ids only, never credentials) and its schedulers:
// one BullMQ job scheduler per environment and kind, with a stable id, upserted from the
// environment's BackupConfig so worker restarts and edits never leave duplicates.
import type { Queue } from 'bullmq'
import { z } from 'zod'
import type { BackupConfig } from '@/generated/prisma/client'

export const BACKUP_QUEUE = 'backup'

export const SCHEDULE_KINDS = ['incremental', 'full', 'drill', 'prune'] as const
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number]

export const backupJobPayload = z.discriminatedUnion('op', [
  z.object({ v: z.literal(1), op: z.literal('run'), backupId: z.string().min(1) }),
  z.object({ v: z.literal(1), op: z.literal('verify'), backupId: z.string().min(1) }),
  z.object({ v: z.literal(1), op: z.literal('scheduled'), environmentId: z.string().min(1), kind: z.enum(SCHEDULE_KINDS) }),
  z.object({ v: z.literal(1), op: z.literal('drill'), environmentId: z.string().min(1) }),
  z.object({ v: z.literal(1), op: z.literal('restore'), restoreId: z.string().min(1) }),
])
export type BackupJobPayload = z.infer<typeof backupJobPayload>

/** What the web app and the engine need to queue backup work; the worker carries it out. */
export interface BackupJobQueue {
  enqueue(payload: BackupJobPayload, options?: { jobId?: string }): Promise<void>
  /** Upserts or removes this environment's schedulers from its config. */
  syncSchedules(environmentId: string, config: ScheduleConfig | null): Promise<void>
  /** When each of this environment's schedulers runs next (absent: not scheduled). */
  nextRuns(environmentId: string): Promise<Partial<Record<ScheduleKind, Date>>>
}

export type ScheduleConfig = Pick<BackupConfig, 'engine' | 'fullCron' | 'incrementalCron' | 'drillCron' | 'schedulesEnabled'>

export const schedulerId = (environmentId: string, kind: ScheduleKind) => `backup:${environmentId}:${kind}`

/** Retention runs once a day, after the nightly full. */
export const PRUNE_PATTERN = '15 4 * * *'

/** Which schedulers an environment should have, and their cron patterns (UTC). */
export function wantedSchedules(config: ScheduleConfig | null): Partial<Record<ScheduleKind, string>> {
  if (!config || !config.schedulesEnabled) return {}
  return {
    // pg_dump has no incrementals: its one backup schedule is the "incremental" (frequent) one.
    incremental: config.incrementalCron,
    ...(config.engine === 'PGBACKREST' ? { full: config.fullCron } : {}),
    drill: config.drillCron,
    prune: PRUNE_PATTERN,
  }
}

type SchedulerQueue = Pick<Queue, 'upsertJobScheduler' | 'removeJobScheduler' | 'getJobScheduler'>

export async function syncBackupSchedules(queue: SchedulerQueue, environmentId: string, config: ScheduleConfig | null, jobOptions: Record<string, unknown>) {
  const wanted = wantedSchedules(config)
  for (const kind of SCHEDULE_KINDS) {
    const pattern = wanted[kind]
    if (pattern) {
      await queue.upsertJobScheduler(schedulerId(environmentId, kind), { pattern, tz: 'UTC' }, {
        name: `scheduled-${kind}`,
        data: backupJobPayload.parse({ v: 1, op: 'scheduled', environmentId, kind }),
        opts: jobOptions,
      })
    } else {
      await queue.removeJobScheduler(schedulerId(environmentId, kind))
    }
  }
}

export async function nextScheduledRuns(queue: Pick<Queue, 'getJobScheduler'>, environmentId: string) {
  const out: Partial<Record<ScheduleKind, Date>> = {}
  for (const kind of SCHEDULE_KINDS) {
    const scheduler = await queue.getJobScheduler(schedulerId(environmentId, kind))
    if (scheduler?.next) out[kind] = new Date(scheduler.next)
  }
  return out
}

/** A cron pattern BullMQ accepts: five fields of digits, *, /, - and commas. */
export const cronPattern = z
  .string()
  .trim()
  .regex(/^(\S+\s+){4}\S+$/, 'Write five cron fields, e.g. "0 * * * *" for every hour')
  .regex(/^[0-9*/,\- ]+$/, 'Use only digits, *, /, - and commas in a cron pattern, e.g. "30 2 * * *"')

/**
 * At worker start: upserts every environment's schedulers from its config and removes backup
 * schedulers left by environments that were deleted or had backups switched off. Upserting by
 * a stable id is what keeps restarts (and several workers) from duplicating schedules.
 */
export async function syncAllBackupSchedules(
  queue: SchedulerQueue & Pick<Queue, 'getJobSchedulers'>,
  configs: Array<ScheduleConfig & { environmentId: string }>,
  jobOptions: Record<string, unknown>,
): Promise<{ environments: number; removed: number }> {
  for (const config of configs) await syncBackupSchedules(queue, config.environmentId, config, jobOptions)
  const wanted = new Set(configs.flatMap((c) => Object.keys(wantedSchedules(c)).map((kind) => schedulerId(c.environmentId, kind as ScheduleKind))))
  const stale: string[] = []
  for (let start = 0; start < 100_000; start += 500) {
    const page = await queue.getJobSchedulers(start, start + 499)
    for (const scheduler of page) {
      const key = scheduler.key ?? scheduler.id
      if (key && key.startsWith('backup:') && !wanted.has(key)) stale.push(key)
    }
    if (page.length < 500) break
  }
  // Removed after listing: removing while paging would shift the pages.
  for (const key of stale) await queue.removeJobScheduler(key)
  const removed = stale.length
  return { environments: configs.length, removed }
}
