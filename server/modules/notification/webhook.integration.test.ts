// Webhooks end to end against real Postgres and Redis (BullMQ, a queue of this file's own) and
// a local HTTP receiver on 127.0.0.1: the outbox queues each delivery once, the signature
// verifies with the key shown at creation, 500s are retried with exponential backoff until a
// 2xx, every attempt is in the history, bounded attempts end FAILED, and Slack gets {text, blocks}.
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import { Queue, Worker } from 'bullmq'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { bullPrefix } from '@/server/infra/queues'
import { createBullConnection } from '@/server/infra/redis'
import { WEBHOOK_QUEUE, webhookEnqueuer } from '@/server/infra/webhook-queue'
import { logger } from '@/server/logger'
import { callerFor, makeUser } from '@/test/factories'
import { createWebhookDeliveryProcessor } from '@/workers/processors/webhook-delivery.processor'
import { deliverWebhook, dispatchPendingDeliveries } from './deliver-webhook'
import { notify } from './notify'
import { verifyWebhookSignature } from './webhook-payload'

type Received = { at: number; headers: http.IncomingHttpHeaders; body: string }
let server: http.Server
let port = 0
const received: Received[] = []
/** Status codes the receiver answers with, in order; then 200. */
let script: number[] = []

const queueName = `${WEBHOOK_QUEUE}-it-${randomBytes(3).toString('hex')}`
const connection = createBullConnection('worker')
let queue: Queue
let worker: Worker
const FAST = { attempts: 4, backoff: { type: 'exponential' as const, delay: 200 } }

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      received.push({ at: Date.now(), headers: req.headers, body })
      res.statusCode = script.shift() ?? 200
      res.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as { port: number }).port
  queue = new Queue(queueName, { connection, prefix: bullPrefix() })
  worker = new Worker(queueName, createWebhookDeliveryProcessor({ db: db(), baseUrl: 'https://control.example.test', timeoutMs: 2_000 }, logger), { connection, prefix: bullPrefix() })
})

afterEach(async () => {
  await db().webhook.deleteMany({})
  received.length = 0
  script = []
})

afterAll(async () => {
  await worker.close()
  await queue.obliterate({ force: true })
  await queue.close()
  await connection.quit()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await disconnectDb()
})

async function waitForStatus(deliveryId: string, status: 'SUCCEEDED' | 'FAILED') {
  for (let i = 0; i < 150; i++) {
    const row = await db().webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId } })
    if (row.status === status) return row
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`delivery ${deliveryId} did not reach ${status} within 15 s`)
}

const event = (type: string, extra: Partial<Parameters<typeof notify>[1]> = {}) => ({
  type,
  severity: 'critical' as const,
  title: 'Prod: deployment #7 failed and was rolled back',
  body: 'web did not become healthy within 60 s. Rolled back: restored web.',
  link: '/deployments/abc',
  data: { number: 7 },
  audience: {},
  ...extra,
})

describe('outgoing webhooks', () => {
  it('signs, retries 500s with exponential backoff, then succeeds; history has every attempt', async () => {
    const admin = await makeUser('ADMIN')
    const { id, signingKey } = await callerFor(admin).webhook.create({ name: 'Ops receiver', url: `http://127.0.0.1:${port}/hooks/traider?token=abc`, format: 'GENERIC', events: ['deployment.*'] })
    expect(signingKey).toMatch(/^whsec_/)
    const stored = await db().webhook.findUniqueOrThrow({ where: { id } })
    expect(stored.signingKeySealed).not.toContain(signingKey.slice(6))
    // The URL's token is not in any column in plain text either.
    expect(JSON.stringify(stored)).not.toContain('token=abc')
    expect(stored.urlMasked).toBe(`http://127.0.0.1:${port}/…`)
    // The list never shows the key, and masks the URL's path (it may carry a token).
    const listed = (await callerFor(admin).webhook.list()).find((w) => w.id === id)
    expect(listed).toMatchObject({ url: `http://127.0.0.1:${port}/…`, events: ['deployment.*'] })
    expect(JSON.stringify(listed)).not.toContain('whsec_')

    const { eventId } = await notify(db(), event('deployment.failed'))
    await notify(db(), event('approval.requested')) // not in this webhook's filter
    const deliveries = await db().webhookDelivery.findMany({ where: { webhookId: id } })
    expect(deliveries.map((d) => d.eventId)).toEqual([eventId])

    script = [500, 500]
    const enqueue = webhookEnqueuer(queue, FAST)
    expect(await dispatchPendingDeliveries({ db: db(), enqueue })).toBeGreaterThanOrEqual(1)
    expect(await dispatchPendingDeliveries({ db: db(), enqueue })).toBe(0)
    const done = await waitForStatus(deliveries[0].id, 'SUCCEEDED')
    expect(done.attempts).toBe(3)

    expect(received).toHaveLength(3)
    for (const r of received) {
      expect(r.headers['x-traider-event-id']).toBe(eventId)
      expect(r.headers['x-traider-event']).toBe('deployment.failed')
      expect(verifyWebhookSignature(signingKey, String(r.headers['x-traider-signature']), r.body, Math.floor(Date.now() / 1000))).toBe(true)
      expect(verifyWebhookSignature(`${signingKey}x`, String(r.headers['x-traider-signature']), r.body, Math.floor(Date.now() / 1000))).toBe(false)
      expect(r.body).not.toContain('whsec_')
    }
    expect(received.map((r) => r.headers['x-traider-attempt'])).toEqual(['1', '2', '3'])
    // Exponential: ~200 ms, then ~400 ms.
    expect(received[1].at - received[0].at).toBeGreaterThanOrEqual(190)
    expect(received[2].at - received[1].at).toBeGreaterThanOrEqual(390)
    expect(JSON.parse(received[2].body)).toEqual({
      id: eventId,
      type: 'deployment.failed',
      severity: 'critical',
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      title: 'Prod: deployment #7 failed and was rolled back',
      body: 'web did not become healthy within 60 s. Rolled back: restored web.',
      url: 'https://control.example.test/deployments/abc',
      environmentId: null,
      data: { number: 7 },
    })

    const history = await callerFor(admin).webhook.deliveries({ id })
    expect(history[0].status).toBe('SUCCEEDED')
    expect(history[0].attempts.map((a) => [a.attempt, a.httpStatus, a.error])).toEqual([
      [1, 500, 'the receiver answered HTTP 500'],
      [2, 500, 'the receiver answered HTTP 500'],
      [3, 200, null],
    ])
    for (const a of history[0].attempts) expect(a.durationMs).toBeGreaterThanOrEqual(0)

    // A re-run of a finished delivery (a duplicate job) sends nothing.
    expect(await deliverWebhook({ db: db(), baseUrl: 'http://x' }, deliveries[0].id, { number: 9, isLast: true })).toEqual({ status: 'SUCCEEDED' })
    expect(received).toHaveLength(3)
  })

  it('gives up after the bounded attempts and records the delivery as failed', async () => {
    const admin = await makeUser('ADMIN')
    const { id } = await callerFor(admin).webhook.create({ name: 'Always down', url: `http://127.0.0.1:${port}/down`, format: 'GENERIC', events: ['audit.chain_broken'] })
    script = [503, 503, 503, 503, 503]
    await notify(db(), event('audit.chain_broken'))
    const [delivery] = await db().webhookDelivery.findMany({ where: { webhookId: id } })
    await dispatchPendingDeliveries({ db: db(), enqueue: webhookEnqueuer(queue, { attempts: 2, backoff: { type: 'exponential', delay: 100 } }) })
    const failed = await waitForStatus(delivery.id, 'FAILED')
    expect(failed.attempts).toBe(2)
    expect(received).toHaveLength(2)
    const listed = (await callerFor(admin).webhook.list()).find((w) => w.id === id)
    expect(listed).toMatchObject({ failed: 1, delivered: 0, pending: 0 })
  })

  it('sends Slack-compatible {text, blocks}, and a test event to one webhook only', async () => {
    const admin = await makeUser('ADMIN')
    const slack = await callerFor(admin).webhook.create({ name: 'Slack', url: `http://127.0.0.1:${port}/slack`, format: 'SLACK', events: [] })
    await notify(db(), event('deployment.break_glass', { severity: 'critical', title: 'Prod: break-glass rollback to release 3 by Ana', body: 'Reason: orders rejected.' }))
    const [delivery] = await db().webhookDelivery.findMany({ where: { webhookId: slack.id } })
    await dispatchPendingDeliveries({ db: db(), enqueue: webhookEnqueuer(queue, FAST) })
    await waitForStatus(delivery.id, 'SUCCEEDED')
    const body = JSON.parse(received[0].body)
    expect(Object.keys(body).sort()).toEqual(['blocks', 'text'])
    expect(body.text).toBe('Prod: break-glass rollback to release 3 by Ana: Reason: orders rejected.')
    expect(body.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: ':rotating_light: *Prod: break-glass rollback to release 3 by Ana*\nReason: orders rejected.' } })
    expect(body.blocks[1].type).toBe('context')
    expect(body.blocks[1].elements[0].text).toContain('<https://control.example.test/deployments/abc|Open in the control plane>')

    const other = await callerFor(admin).webhook.create({ name: 'Other', url: `http://127.0.0.1:${port}/other`, format: 'GENERIC', events: [] })
    const { deliveryId } = await callerFor(admin).webhook.sendTest({ id: other.id })
    await dispatchPendingDeliveries({ db: db(), enqueue: webhookEnqueuer(queue, FAST) })
    await waitForStatus(deliveryId, 'SUCCEEDED')
    expect(received.map((r) => r.headers['x-traider-event'])).toEqual(['deployment.break_glass', 'webhook.test'])
    expect(await db().webhookDelivery.count({ where: { webhookId: slack.id } })).toBe(1)
    const audit = await db().auditEvent.findMany({ where: { targetId: { in: [slack.id, other.id] } }, orderBy: { id: 'asc' } })
    expect(audit.map((a) => a.action)).toEqual(['webhook.create', 'webhook.create', 'webhook.test'])
    expect(JSON.stringify(audit.map((a) => a.summary))).not.toContain('whsec_')
  })

  it('refuses bad input in words, and only admins manage webhooks', async () => {
    const [admin, approver] = await Promise.all([makeUser('ADMIN'), makeUser('APPROVER')])
    await expect(callerFor(approver).webhook.list()).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(callerFor(admin).webhook.create({ name: 'x', url: 'ftp://example.test/x', format: 'GENERIC', events: [] })).rejects.toThrow(/https:\/\//)
    await expect(callerFor(admin).webhook.create({ name: 'x', url: 'https://example.test/x', format: 'GENERIC', events: ['Deploy Failed'] })).rejects.toThrow(/Event filters are types like deployment.failed/)
  })
})
