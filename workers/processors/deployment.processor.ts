// BullMQ processor for deployment jobs: parses the versioned payload and hands the id to the
// engine, which resumes from the persisted state (so a retried or stalled job is safe).
import { UnrecoverableError, type Job } from 'bullmq'
import { deploymentPayload } from '@/server/infra/queues'
import { errorFields, type Logger } from '@/server/logger'
import type { EngineDeps } from '@/server/modules/deployment/engine-context'
import { runObservedDeployment, type DeploymentAnnotator } from '@/server/modules/observability/observed-deployment'

/** After a deployment ends, the environment's engine facts (containers running) are stale: re-check. */
export type AfterDeployment = (deploymentId: string) => Promise<void>

export function createDeploymentProcessor(deps: EngineDeps, log: Logger, afterDeployment?: AfterDeployment, annotate?: DeploymentAnnotator) {
  return async function processDeployment(job: Job) {
    const parsed = deploymentPayload.safeParse(job.data)
    if (!parsed.success) {
      throw new UnrecoverableError(`Job ${job.id} in ${job.queueName} has an unreadable payload; expected { v: 1, deploymentId }.`)
    }
    const { deploymentId } = parsed.data
    const fields = { jobId: job.id, deploymentId, attempt: job.attemptsMade + 1 }
    log.info('Deployment job started', fields)
    try {
      const status = await runObservedDeployment(deps, deploymentId, { traceparent: parsed.data.traceparent, annotate, log })
      if (status === null) log.warn('Deployment no longer exists; nothing to do', fields)
      else log.info('Deployment job finished', { ...fields, status })
      if (status !== null && afterDeployment) {
        // Best effort: a failed re-check must not fail a finished deployment's job.
        await afterDeployment(deploymentId).catch((error: unknown) => log.warn('Could not queue the post-deployment engine check', { ...fields, err: errorFields(error) }))
      }
      return { status }
    } catch (error) {
      // Postgres or the engine went away mid-way: BullMQ retries, and the engine resumes
      // (rolling back if containers had started to change).
      log.error('Deployment job failed; it will be retried while attempts remain', { ...fields, err: errorFields(error) })
      throw error
    }
  }
}
