// Outgoing webhooks, managed by admins: create (the signing key is shown once and stored
// sealed), edit, rotate the key, delete, send a test event, and read the delivery history.
// The URL is stored sealed and shown masked after creation: Slack-style URLs carry their own token.
import { randomBytes, randomUUID } from 'node:crypto'
import { z } from 'zod'
import { seal } from '@/server/crypto/envelope'
import type { Db } from '@/server/db'
import { DomainError, notFound } from '@/server/errors'
import { audit, type AuditActor } from '@/server/modules/audit/audit'
import { webhookKeyContext, webhookUrlContext } from './deliver-webhook'
import { EVENT_TYPE_PATTERN } from './notify'

const url = z
  .string()
  .trim()
  .url('Enter the full URL, e.g. https://hooks.example.com/traider.')
  .refine((u) => /^https?:$/.test(new URL(u).protocol), 'Webhook URLs must start with https:// (or http:// inside your network).')
const events = z
  .array(z.string().trim().refine((e) => e === '*' || EVENT_TYPE_PATTERN.test(e) || (e.endsWith('.*') && /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/.test(e.slice(0, -2))), 'Event filters are types like deployment.failed or prefixes like backup.*'))
  .max(50)

export const createWebhookInput = z.object({
  name: z.string().trim().min(1, 'Give the webhook a name, e.g. "Ops Slack".').max(80),
  url,
  format: z.enum(['GENERIC', 'SLACK']),
  events,
})
export const updateWebhookInput = z.object({
  id: z.string().min(1),
  name: z.string().trim().min(1, 'Give the webhook a name.').max(80).optional(),
  url: url.optional(),
  format: z.enum(['GENERIC', 'SLACK']).optional(),
  events: events.optional(),
  enabled: z.boolean().optional(),
})
export const webhookIdInput = z.object({ id: z.string().min(1) })

const newSigningKey = () => `whsec_${randomBytes(32).toString('base64url')}`

/** "https://hooks.slack.com/…": enough to recognise, not enough to post to it. */
export function maskUrl(raw: string): string {
  const u = new URL(raw)
  return u.pathname.length > 1 || u.search ? `${u.origin}/…` : u.origin
}

export async function listWebhooks(deps: { db: Db }) {
  const rows = await deps.db.webhook.findMany({ orderBy: { createdAt: 'asc' } })
  const stats = await deps.db.webhookDelivery.groupBy({ by: ['webhookId', 'status'], _count: { _all: true } })
  return rows.map((w) => {
    const count = (status: string) => stats.find((s) => s.webhookId === w.id && s.status === status)?._count._all ?? 0
    return { id: w.id, name: w.name, url: w.urlMasked, format: w.format, events: w.events, enabled: w.enabled, createdAt: w.createdAt, delivered: count('SUCCEEDED'), failed: count('FAILED'), pending: count('PENDING') }
  })
}

export async function createWebhook(deps: { db: Db }, actor: AuditActor, input: z.output<typeof createWebhookInput>) {
  const id = randomUUID()
  const signingKey = newSigningKey()
  await deps.db.$transaction(async (tx) => {
    await tx.webhook.create({ data: { id, name: input.name, urlSealed: seal(input.url, webhookUrlContext(id)), urlMasked: maskUrl(input.url), format: input.format, events: input.events, signingKeySealed: seal(signingKey, webhookKeyContext(id)), createdById: actor.id } })
    await audit(tx, actor, { action: 'webhook.create', targetType: 'webhook', targetId: id, summary: { name: input.name, url: maskUrl(input.url), format: input.format, events: input.events } })
  })
  return { id, signingKey }
}

export async function updateWebhook(deps: { db: Db }, actor: AuditActor, input: z.output<typeof updateWebhookInput>) {
  const { id, url: newUrl, ...changes } = input
  return deps.db.$transaction(async (tx) => {
    const before = await tx.webhook.findUnique({ where: { id } })
    if (!before) throw notFound('Webhook')
    const urlChange = newUrl === undefined ? {} : { urlSealed: seal(newUrl, webhookUrlContext(id)), urlMasked: maskUrl(newUrl) }
    await tx.webhook.update({ where: { id }, data: { ...changes, ...urlChange } })
    await audit(tx, actor, { action: 'webhook.update', targetType: 'webhook', targetId: id, summary: { ...changes, url: newUrl ? maskUrl(newUrl) : undefined } })
    return { id }
  })
}

export async function rotateWebhookKey(deps: { db: Db }, actor: AuditActor, input: z.output<typeof webhookIdInput>) {
  const signingKey = newSigningKey()
  await deps.db.$transaction(async (tx) => {
    const updated = await tx.webhook.updateMany({ where: { id: input.id }, data: { signingKeySealed: seal(signingKey, webhookKeyContext(input.id)) } })
    if (updated.count !== 1) throw notFound('Webhook')
    await audit(tx, actor, { action: 'webhook.rotate_key', targetType: 'webhook', targetId: input.id })
  })
  return { id: input.id, signingKey }
}

export async function deleteWebhook(deps: { db: Db }, actor: AuditActor, input: z.output<typeof webhookIdInput>) {
  await deps.db.$transaction(async (tx) => {
    const row = await tx.webhook.findUnique({ where: { id: input.id }, select: { name: true } })
    if (!row) throw notFound('Webhook')
    await tx.webhook.delete({ where: { id: input.id } })
    await audit(tx, actor, { action: 'webhook.delete', targetType: 'webhook', targetId: input.id, summary: { name: row.name } })
  })
  return { id: input.id }
}

/** A webhook.test event for this webhook only: checks the URL, the key and the receiver. */
export async function sendTestWebhook(deps: { db: Db }, actor: AuditActor, input: z.output<typeof webhookIdInput>) {
  return deps.db.$transaction(async (tx) => {
    const webhook = await tx.webhook.findUnique({ where: { id: input.id }, select: { id: true, name: true, enabled: true } })
    if (!webhook) throw notFound('Webhook')
    if (!webhook.enabled) throw new DomainError('PRECONDITION_FAILED', `Webhook "${webhook.name}" is disabled: enable it first, then send a test.`)
    const eventId = randomUUID()
    await tx.notificationEvent.create({
      data: { id: eventId, type: 'webhook.test', severity: 'info', title: 'Test from the TRAIDER control plane', body: `Sent by ${actor.label} to check webhook "${webhook.name}". No action needed.`, link: '/settings', data: { webhook: webhook.name } },
    })
    const delivery = await tx.webhookDelivery.create({ data: { webhookId: webhook.id, eventId } })
    await audit(tx, actor, { action: 'webhook.test', targetType: 'webhook', targetId: webhook.id })
    return { deliveryId: delivery.id }
  })
}

/** Newest deliveries of one webhook, each with its attempts (attempt, time, status, duration, error). */
export async function listWebhookDeliveries(deps: { db: Db }, input: z.output<typeof webhookIdInput>) {
  const rows = await deps.db.webhookDelivery.findMany({
    where: { webhookId: input.id },
    orderBy: { createdAt: 'desc' },
    take: 50,
    include: { event: { select: { id: true, type: true, title: true } }, attemptLog: { orderBy: { attempt: 'asc' } } },
  })
  return rows.map((d) => ({
    id: d.id,
    status: d.status,
    createdAt: d.createdAt,
    deliveredAt: d.deliveredAt,
    event: d.event,
    attempts: d.attemptLog.map((a) => ({ attempt: a.attempt, at: a.at, httpStatus: a.httpStatus, durationMs: a.durationMs, error: a.error })),
  }))
}
