// The BullMQ queue for webhook deliveries: job id = delivery id (one job per delivery, ever),
// payload { v: 1, deliveryId } (never the body or the key), bounded attempts with exponential
// backoff: 6 attempts, waiting 10 s, 20 s, 40 s, 80 s, 160 s between them.
import type { Queue } from 'bullmq'
import { z } from 'zod'

export const WEBHOOK_QUEUE = 'webhook-delivery'

export const webhookDeliveryPayload = z.object({ v: z.literal(1), deliveryId: z.string().min(1) })

export type WebhookJobOptions = { attempts: number; backoff: { type: 'exponential'; delay: number } }

export const WEBHOOK_JOB_OPTIONS: WebhookJobOptions = { attempts: 6, backoff: { type: 'exponential', delay: 10_000 } }

export function webhookEnqueuer(queue: Queue, options: WebhookJobOptions = WEBHOOK_JOB_OPTIONS) {
  return async (deliveryId: string) => {
    await queue.add('deliver', webhookDeliveryPayload.parse({ v: 1, deliveryId }), {
      ...options,
      jobId: deliveryId,
      // Failed jobs are kept for operators (STYLE.md); the delivery rows are the history.
      removeOnComplete: { count: 1_000 },
      removeOnFail: { count: 5_000 },
    })
  }
}
