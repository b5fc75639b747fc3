// Backup job schedulers on a real Redis: two worker starts (each with its own connection)
// leave exactly one scheduler per environment and kind, with one pending job each; edits and
// switched-off environments remove theirs; the next run is readable for the page.
import { Queue } from 'bullmq'
import { afterAll, describe, expect, it } from 'vitest'
import { env } from '@/server/env'
import { bullBackupQueue, BACKUP_JOB_OPTIONS } from '@/server/infra/backup-queue'
import { createBullConnection } from '@/server/infra/redis'
import { unique } from '@/test/factories'
import { deleteRedisPrefix } from '@/test/redis-cleanup'
import { schedulerId, syncAllBackupSchedules, type ScheduleConfig } from './backup-jobs'

const prefix = `${env().REDIS_PREFIX}:${unique('sched')}`
const queueName = unique('backup-sched')

afterAll(async () => {
  await deleteRedisPrefix(env().REDIS_URL, prefix)
})

const physical: ScheduleConfig = { engine: 'PGBACKREST', fullCron: '0 2 * * *', incrementalCron: '0 * * * *', drillCron: '30 3 * * *', schedulesEnabled: true }
const logical: ScheduleConfig = { ...physical, engine: 'PG_DUMP' }

/** What one worker start does: a fresh connection and queue, sync, close. */
async function workerStart(configs: Array<ScheduleConfig & { environmentId: string }>) {
  const connection = createBullConnection('worker')
  const queue = new Queue(queueName, { connection, prefix })
  try {
    return await syncAllBackupSchedules(queue, configs, BACKUP_JOB_OPTIONS)
  } finally {
    await queue.close()
    await connection.quit()
  }
}

async function inspect() {
  const connection = createBullConnection('worker')
  const queue = new Queue(queueName, { connection, prefix })
  try {
    const schedulers = await queue.getJobSchedulers(0, -1)
    const delayed = await queue.getDelayed(0, -1)
    return { ids: schedulers.map((s) => s.key).sort(), delayed: delayed.map((j) => j.data as { environmentId: string; kind: string }), queue: bullBackupQueue(() => queue), close: async () => { await queue.close(); await connection.quit() } }
  } catch (error) {
    await queue.close()
    await connection.quit()
    throw error
  }
}

describe('backup schedules', () => {
  it('survive worker restarts without duplicates, follow edits, and show the next run', async () => {
    const configs = [
      { environmentId: 'envA', ...physical },
      { environmentId: 'envB', ...logical },
    ]
    await workerStart(configs)
    await workerStart(configs)
    await workerStart(configs)
    let state = await inspect()
    expect(state.ids).toEqual(
      [schedulerId('envA', 'incremental'), schedulerId('envA', 'full'), schedulerId('envA', 'drill'), schedulerId('envA', 'prune'), schedulerId('envB', 'incremental'), schedulerId('envB', 'drill'), schedulerId('envB', 'prune')].sort(),
    )
    // One pending run per scheduler, not one per start.
    expect(state.delayed).toHaveLength(7)
    const next = await state.queue.nextRuns('envA')
    const now = Date.now()
    expect(next.incremental!.getTime()).toBeGreaterThan(now)
    expect(next.incremental!.getTime()).toBeLessThanOrEqual(now + 3600_000)
    expect(next.incremental!.getUTCMinutes()).toBe(0)
    expect(next.full!.getUTCHours()).toBe(2)
    await state.close()

    // envA switches schedules off; envB's environment is deleted (no config any more).
    const result = await workerStart([{ environmentId: 'envA', ...physical, schedulesEnabled: false }])
    expect(result.removed).toBe(3)
    state = await inspect()
    expect(state.ids).toEqual([])
    expect(state.delayed).toHaveLength(0)
    await state.close()
  }, 60_000)

  it('an edit from the portal replaces the pattern in place', async () => {
    const state = await inspect()
    try {
      await state.queue.syncSchedules('envC', logical)
      await state.queue.syncSchedules('envC', { ...logical, incrementalCron: '*/15 * * * *' })
      const after = await inspect()
      expect(after.ids).toEqual([schedulerId('envC', 'drill'), schedulerId('envC', 'incremental'), schedulerId('envC', 'prune')])
      expect(after.delayed).toHaveLength(3)
      const next = await after.queue.nextRuns('envC')
      expect(next.incremental!.getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000)
      await after.close()
    } finally {
      await state.close()
    }
  }, 60_000)
})
