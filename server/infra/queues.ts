// BullMQ queues and their versioned job payloads. Jobs carry ids, never secrets.
import { Queue } from 'bullmq'
import { z } from 'zod'
import { env } from '@/server/env'
import type { JobQueue } from './ports'
import { createBullConnection } from './redis'
import { currentTraceparent } from '@/server/modules/observability/tracing'

export const QUEUE_NAMES = { environmentCheck: 'environment-check', deployment: 'deployment', deploymentGate: 'deployment-gate' } as const

export const environmentCheckPayload = z.object({ v: z.literal(1), checkId: z.string().min(1) })
export type EnvironmentCheckPayload = z.infer<typeof environmentCheckPayload>

// traceparent: the W3C trace context of the request that queued it (tracing on), never a secret.
export const deploymentPayload = z.object({ v: z.literal(1), deploymentId: z.string().min(1), traceparent: z.string().max(128).optional() })
export type DeploymentPayload = z.infer<typeof deploymentPayload>

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

type Queues = {
  connection: ReturnType<typeof createBullConnection>
  environmentCheck: Queue<EnvironmentCheckPayload>
  deployment: Queue<DeploymentPayload>
  deploymentGate: Queue<DeploymentPayload>
}
const globalForQueues = globalThis as unknown as { traiderQueues?: Queues; traiderCountQueues?: Map<string, Queue> }

function queues(): Queues {
  if (!globalForQueues.traiderQueues) {
    const connection = createBullConnection('queue')
    const options = { connection, prefix: bullPrefix(), defaultJobOptions: DEFAULT_JOB_OPTIONS }
    globalForQueues.traiderQueues = {
      connection,
      environmentCheck: new Queue<EnvironmentCheckPayload>(QUEUE_NAMES.environmentCheck, options),
      deployment: new Queue<DeploymentPayload>(QUEUE_NAMES.deployment, options),
      deploymentGate: new Queue<DeploymentPayload>(QUEUE_NAMES.deploymentGate, options),
    }
  }
  return globalForQueues.traiderQueues
}

/**
 * Adds a job whose id is the record's id: adding a waiting job twice is a no-op. A finished
 * job under that id would swallow the new add, so it is cleared first (a re-run of a record
 * whose result could not be written).
 */
async function addIdempotent<T>(queue: Queue<T>, name: string, jobId: string, payload: T) {
  const previous = await queue.getJob(jobId)
  if (previous && ((await previous.isFailed()) || (await previous.isCompleted()))) await previous.remove()
  await (queue as Queue).add(name, payload, { jobId })
}

export const bullJobQueue: JobQueue = {
  async enqueueEnvironmentCheck(checkId) {
    await addIdempotent(queues().environmentCheck, 'check', checkId, environmentCheckPayload.parse({ v: 1, checkId }))
  },
  async enqueueDeployment(deploymentId) {
    await addIdempotent(queues().deployment, 'deploy', deploymentId, deploymentPayload.parse({ v: 1, deploymentId, traceparent: currentTraceparent() }))
  },
  async enqueueDeploymentGate(deploymentId, at) {
    // One pending re-check per deployment and time; a later one replaces nothing, it just runs too.
    const payload = deploymentPayload.parse({ v: 1, deploymentId })
    await queues().deploymentGate.add('gate', payload, { jobId: `${deploymentId}-${at.getTime()}`, delay: Math.max(0, at.getTime() - Date.now()) })
  },
}

export async function closeQueues() {
  const q = globalForQueues.traiderQueues
  globalForQueues.traiderQueues = undefined
  if (!q) return
  const extra = globalForQueues.traiderCountQueues
  globalForQueues.traiderCountQueues = undefined
  if (extra) await Promise.all([...extra.values()].map((x) => x.close()))
  await Promise.all([q.environmentCheck.close(), q.deployment.close(), q.deploymentGate.close()])
  // BullMQ does not close connections passed in: quit it ourselves.
  await q.connection.quit()
}

export type QueueDepth = { queue: string; waiting: number; active: number; failed: number; delayed: number }

/** Waiting/active/failed/delayed jobs per queue (metrics endpoint); reuses the queue connection. */
export async function queueDepths(names: readonly string[]): Promise<QueueDepth[]> {
  const q = queues()
  const known: Record<string, Queue> = {
    [QUEUE_NAMES.environmentCheck]: q.environmentCheck as Queue,
    [QUEUE_NAMES.deployment]: q.deployment as Queue,
    [QUEUE_NAMES.deploymentGate]: q.deploymentGate as Queue,
  }
  // Queues this process does not add to (e.g. audit-verify) get a handle once, kept with the others.
  const extra = (globalForQueues.traiderCountQueues ??= new Map<string, Queue>())
  return Promise.all(
    names.map(async (name) => {
      let queue = known[name] ?? extra.get(name)
      if (!queue) {
        queue = new Queue(name, { connection: q.connection, prefix: bullPrefix() })
        extra.set(name, queue)
      }
      const counts = await queue.getJobCounts('waiting', 'active', 'failed', 'delayed')
      return { queue: name, waiting: counts.waiting ?? 0, active: counts.active ?? 0, failed: counts.failed ?? 0, delayed: counts.delayed ?? 0 }
    }),
  )
}
