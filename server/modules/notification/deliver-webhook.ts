// Sends one webhook delivery (one event to one URL) and records the attempt: time, HTTP
// status, duration, error. Throws when the receiver did not answer 2xx so BullMQ retries with
// backoff; the last attempt marks the delivery FAILED. Also the outbox loop that queues
// deliveries notify() wrote (job id = delivery id: queued once, never lost).
import { openText } from '@/server/crypto/envelope'
import type { Db } from '@/server/db'
import { buildWebhookBody, webhookSignature } from './webhook-payload'

export type DeliverDeps = { db: Db; baseUrl: string; timeoutMs?: number }
export type DeliveryResult = { status: 'SUCCEEDED' | 'FAILED' | 'PENDING' | 'GONE'; httpStatus?: number | null }

/** Thrown for a non-2xx answer or a network error: the job is retried while attempts remain. */
export class WebhookDeliveryError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WebhookDeliveryError'
  }
}

export const webhookKeyContext = (webhookId: string) => `webhook:${webhookId}`
export const webhookUrlContext = (webhookId: string) => `webhook-url:${webhookId}`

/** The cause of a failed fetch in words, without the URL (it may carry a token). */
function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`
  const cause = e.cause?.code ?? e.cause?.message
  return cause ? `could not connect (${cause})` : (e.message ?? 'request failed')
}

export async function deliverWebhook(deps: DeliverDeps, deliveryId: string, attempt: { number: number; isLast: boolean }): Promise<DeliveryResult> {
  const timeoutMs = deps.timeoutMs ?? 10_000
  const delivery = await deps.db.webhookDelivery.findUnique({ where: { id: deliveryId }, include: { webhook: true, event: true } })
  if (!delivery) return { status: 'GONE' }
  // A retried job of a delivery that already finished: never send twice.
  if (delivery.status !== 'PENDING') return { status: delivery.status }
  const { webhook, event } = delivery

  let httpStatus: number | null = null
  let error: string | null = null
  const started = performance.now()
  if (!webhook.enabled) {
    error = 'the webhook is disabled: not sent'
  } else {
    const body = buildWebhookBody(event, webhook.format, deps.baseUrl)
    const signature = webhookSignature(openText(webhook.signingKeySealed, webhookKeyContext(webhook.id)), body, Math.floor(Date.now() / 1000))
    try {
      const response = await fetch(openText(webhook.urlSealed, webhookUrlContext(webhook.id)), {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'TRAIDER-Control-Plane-Webhooks/1',
          'x-traider-event': event.type,
          'x-traider-event-id': event.id,
          'x-traider-delivery': delivery.id,
          'x-traider-attempt': String(attempt.number),
          'x-traider-signature': signature,
        },
        body,
      })
      httpStatus = response.status
      await response.body?.cancel()
      if (response.status < 200 || response.status > 299) error = `the receiver answered HTTP ${response.status}`
    } catch (caught) {
      error = describeFetchError(caught, timeoutMs)
    }
  }
  const durationMs = Math.round(performance.now() - started)
  const ok = error === null
  const giveUp = !ok && (attempt.isLast || !webhook.enabled)
  const status = ok ? 'SUCCEEDED' : giveUp ? 'FAILED' : 'PENDING'
  await deps.db.$transaction([
    deps.db.webhookAttempt.create({ data: { deliveryId, attempt: attempt.number, httpStatus, durationMs, error } }),
    deps.db.webhookDelivery.update({ where: { id: deliveryId }, data: { attempts: { increment: 1 }, status, ...(ok && { deliveredAt: new Date() }) } }),
  ])
  if (!ok && !giveUp) throw new WebhookDeliveryError(`Webhook "${webhook.name}" delivery ${deliveryId} attempt ${attempt.number}: ${error}; it will be retried`)
  return { status, httpStatus }
}

/** Queues every delivery notify() wrote that is not queued yet. Returns how many. */
export async function dispatchPendingDeliveries(deps: { db: Db; enqueue: (deliveryId: string) => Promise<void> }, limit = 200): Promise<number> {
  const rows = await deps.db.webhookDelivery.findMany({ where: { status: 'PENDING', enqueuedAt: null }, orderBy: { createdAt: 'asc' }, take: limit, select: { id: true } })
  for (const row of rows) {
    // Enqueue first: a crash before the update re-adds the same job id, which BullMQ ignores.
    await deps.enqueue(row.id)
    await deps.db.webhookDelivery.update({ where: { id: row.id }, data: { enqueuedAt: new Date() } })
  }
  return rows.length
}

/** Runs dispatchPendingDeliveries every intervalMs until stopped (the worker owns one). */
export function startDeliveryOutbox(deps: Parameters<typeof dispatchPendingDeliveries>[0], opts: { intervalMs: number; onError: (error: unknown) => void }) {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  const tick = () => {
    running = dispatchPendingDeliveries(deps)
      .then(() => undefined, opts.onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.intervalMs)
      })
  }
  tick()
  return async () => {
    stopped = true
    clearTimeout(timer)
    await running
  }
}
