// BullMQ queues and their versioned job payloads. Jobs carry ids, never secrets.
import { Queue } from 'bullmq'
import { z } from 'zod'
import { env } from '@/server/env'
import type { JobQueue } from './ports'
import { createBullConnection } from './redis'

export const QUEUE_NAMES = { environmentCheck: 'environment-check' } as const

export const environmentCheckPayload = z.object({ v: z.literal(1), checkId: z.string().min(1) })
export type EnvironmentCheckPayload = z.infer<typeof environmentCheckPayload>

/** BullMQ key prefix: isolates this instance (and each test run) inside one Redis. */
export function bullPrefix(): string {
  return `${env().REDIS_PREFIX}:bull`
}

// Failed jobs are kept (STYLE.md: never removeOnFail: true) so an operator can see them.
export const DEFAULT_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { count: 1_000 },
  removeOnFail: { count: 5_000 },
} as const

type Queues = { connection: ReturnType<typeof createBullConnection>; environmentCheck: Queue<EnvironmentCheckPayload> }
const globalForQueues = globalThis as unknown as { traiderQueues?: Queues }

function queues(): Queues {
  if (!globalForQueues.traiderQueues) {
    const connection = createBullConnection('queue')
    globalForQueues.traiderQueues = {
      connection,
      environmentCheck: new Queue<EnvironmentCheckPayload>(QUEUE_NAMES.environmentCheck, {
        connection,
        prefix: bullPrefix(),
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }
  }
  return globalForQueues.traiderQueues
}

export const bullJobQueue: JobQueue = {
  async enqueueEnvironmentCheck(checkId) {
    const payload = environmentCheckPayload.parse({ v: 1, checkId })
    const queue = queues().environmentCheck
    // jobId = checkId: enqueueing a waiting check twice is a no-op (idempotent). A finished
    // job under that id would swallow the new add, so clear it first (re-check of a check
    // whose result could not be recorded).
    const previous = await queue.getJob(checkId)
    if (previous && ((await previous.isFailed()) || (await previous.isCompleted()))) await previous.remove()
    await queue.add('check', payload, { jobId: checkId })
  },
}

export async function closeQueues() {
  const q = globalForQueues.traiderQueues
  globalForQueues.traiderQueues = undefined
  if (!q) return
  await q.environmentCheck.close()
  // BullMQ does not close connections passed in: quit it ourselves.
  await q.connection.quit()
}
