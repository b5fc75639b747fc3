// BullMQ processor for delayed approval-gate checks: when a wait timer or a freeze window
// ends, re-evaluate the request and queue it if the policy now allows it.
import { UnrecoverableError, type Job } from 'bullmq'
import { deploymentPayload } from '@/server/infra/queues'
import type { Logger } from '@/server/logger'
import { recheckDeploymentGate, type ApprovalDeps } from '@/server/modules/approval/approval.service'

export function createDeploymentGateProcessor(deps: ApprovalDeps, log: Logger) {
  return async function processDeploymentGate(job: Job) {
    const parsed = deploymentPayload.safeParse(job.data)
    if (!parsed.success) throw new UnrecoverableError(`Job ${job.id} in ${job.queueName} has an unreadable payload; expected { v: 1, deploymentId }.`)
    const result = await recheckDeploymentGate(deps, parsed.data.deploymentId)
    log.info('Approval gate re-checked', { jobId: job.id, deploymentId: parsed.data.deploymentId, outcome: result?.approval ?? 'no longer waiting' })
    return result
  }
}
