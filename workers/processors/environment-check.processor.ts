// BullMQ processor for environment-check jobs: parses the versioned payload, runs the check,
// and logs what happened. An unreadable payload is not retried; an unexpected error is.
import { UnrecoverableError, type Job } from 'bullmq'
import { environmentCheckPayload } from '@/server/infra/queues'
import { errorFields, type Logger } from '@/server/logger'
import {
  recordEnvironmentCheckGaveUp,
  runEnvironmentCheck,
  type EnvironmentCheckDeps,
  type EnvironmentCheckResult,
} from '@/server/modules/environment/run-environment-check'

export function createEnvironmentCheckProcessor(deps: EnvironmentCheckDeps, log: Logger) {
  return async function processEnvironmentCheck(job: Job): Promise<EnvironmentCheckResult> {
    const parsed = environmentCheckPayload.safeParse(job.data)
    if (!parsed.success) {
      // Retrying cannot fix a payload: fail the job at once (it is kept, so it can be inspected).
      throw new UnrecoverableError(
        `Job ${job.id} in ${job.queueName} has an unreadable payload (${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}); expected { v: 1, checkId }.`,
      )
    }
    const { checkId } = parsed.data
    const fields = { jobId: job.id, checkId, attempt: job.attemptsMade + 1 }
    let result: EnvironmentCheckResult
    try {
      result = await runEnvironmentCheck(deps, checkId)
    } catch (error) {
      const attempts = job.opts.attempts ?? 1
      if (job.attemptsMade + 1 >= attempts) {
        // Last attempt: BullMQ keeps the failed job, and the check row must say so too.
        log.error('Environment check gave up after its last attempt', { ...fields, err: errorFields(error) })
        try {
          await recordEnvironmentCheckGaveUp(deps, checkId, attempts, error instanceof Error ? error.message : String(error))
        } catch (recordError) {
          // Reported; the original error still fails the job. The check stays QUEUED, and its
          // failed job (same id) is kept, so re-enqueueing it is a no-op until that job is removed.
          log.error('Could not record that the environment check gave up', { ...fields, err: errorFields(recordError) })
        }
      }
      throw error
    }
    if (result.outcome === 'missing') {
      log.warn('Environment check no longer exists (its environment was probably deleted); nothing to do', fields)
    } else if (result.outcome === 'already-finished') {
      log.info('Environment check was already finished; nothing to do', fields)
    } else if (result.outcome === 'ok') {
      log.info('Environment check succeeded', { ...fields, environmentId: result.environmentId, dockerVersion: result.dockerVersion, durationMs: result.durationMs })
    } else {
      log.warn('Environment check recorded an unreachable engine', { ...fields, environmentId: result.environmentId, error: result.error, durationMs: result.durationMs })
    }
    return result
  }
}
