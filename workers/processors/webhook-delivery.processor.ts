// BullMQ processor for webhook deliveries: parses the versioned payload and sends once per
// attempt; a non-2xx answer throws so BullMQ retries with backoff (bounded attempts).
import { UnrecoverableError, type Job } from 'bullmq'
import { webhookDeliveryPayload } from '@/server/infra/webhook-queue'
import type { Logger } from '@/server/logger'
import { deliverWebhook, type DeliverDeps } from '@/server/modules/notification/deliver-webhook'

export function createWebhookDeliveryProcessor(deps: DeliverDeps, log: Logger) {
  return async function processWebhookDelivery(job: Job) {
    const parsed = webhookDeliveryPayload.safeParse(job.data)
    if (!parsed.success) throw new UnrecoverableError(`Job ${job.id} in ${job.queueName} has an unreadable payload; expected { v: 1, deliveryId }.`)
    const attempt = job.attemptsMade + 1
    const result = await deliverWebhook(deps, parsed.data.deliveryId, { number: attempt, isLast: attempt >= (job.opts.attempts ?? 1) })
    if (result.status === 'FAILED') log.warn('Webhook delivery failed for good', { jobId: job.id, deliveryId: parsed.data.deliveryId, attempt })
    return result
  }
}
