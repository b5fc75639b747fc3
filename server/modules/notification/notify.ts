// notify(client, event): the one way anything tells people that something happened.
//
// Call it with the transaction that makes the change (like audit()), so the notification and
// the change commit or roll back together. It writes, in that transaction:
//   - one NotificationEvent row (what happened; webhook bodies are built from it),
//   - one in-app Notification per person in `audience` (the bell in the portal header),
//   - one WebhookDelivery (PENDING) per enabled webhook whose event filter matches.
// The worker's outbox loop (dispatchPendingDeliveries) queues each delivery as a BullMQ job
// whose id is the delivery's id, so a crash never loses a webhook nor queues it twice.
//
// Extending: any module may notify its own event types — pass a dotted lower-case `type`
// ("backup.failed", "backup.verify_failed", "restore.drill_failed") and it works at once:
// webhooks filter on the exact type or a prefix ("backup.*"). Add it to EVENT_TYPES below so
// admins can pick it in the webhook filter. A caller that may run twice for the same fact (a
// retried job) passes a `dedupeKey`: the second call is a no-op.
//
// Never put secrets in title, body or data: they go to webhooks verbatim.
import { randomUUID } from 'node:crypto'
import type { DbOrTx, Tx } from '@/server/db'
import type { Prisma } from '@/generated/prisma/client'
import type { Role } from '@/generated/prisma/enums'

/** Event types the control plane emits, with the words shown in the webhook filter. */
export const EVENT_TYPES = {
  'approval.requested': 'A deployment waits for approval',
  'approval.approved': 'An approval was given',
  'approval.rejected': 'A deployment request was rejected',
  'deployment.started': 'A deployment started',
  'deployment.succeeded': 'A deployment succeeded',
  'deployment.failed': 'A deployment failed or was rolled back',
  'deployment.break_glass': 'Emergency rollback (break-glass)',
  'audit.chain_broken': 'The audit chain is broken',
  'backup.failed': 'A backup failed',
  'backup.verify_failed': 'A backup failed verification',
  'backup.drill_failed': 'A restore drill (DR drill) failed',
  'restore.failed': 'A database restore failed',
  'webhook.test': 'Test event (sent from the webhook page)',
} as const

export type KnownEventType = keyof typeof EVENT_TYPES
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/

export type Severity = 'info' | 'success' | 'warning' | 'critical'

export type NotifyEvent = {
  /** A KnownEventType, or a new dotted type of another module ("backup.failed"). */
  type: KnownEventType | (string & {})
  severity: Severity
  /** One line: "Production: deployment #12 failed". */
  title: string
  /** What happened and what to do next, in words. */
  body: string
  /** Portal path to open ("/deployments/abc"), made absolute for webhooks. */
  link?: string
  environmentId?: string | null
  /** Small facts for machines (numbers, ids, names). Never secret values. */
  data?: Record<string, string | number | boolean | null>
  /** Who sees it in the portal: these people, and everyone active with one of these roles. */
  audience: { userIds?: Array<string | null | undefined>; roles?: Role[]; exceptUserIds?: Array<string | null | undefined> }
  /** Same key twice → notified once (e.g. `deployment.failed:<deploymentId>`). */
  dedupeKey?: string
}

function isRootClient(client: DbOrTx): client is DbOrTx & { $transaction: unknown } {
  return typeof (client as { $transaction?: unknown }).$transaction === 'function'
}

/** Does a webhook's filter (exact types or "prefix.*"; empty = all) take this type? */
export function filterMatches(filter: readonly string[], type: string): boolean {
  if (filter.length === 0) return true
  return filter.some((f) => f === type || f === '*' || (f.endsWith('.*') && type.startsWith(f.slice(0, -1))))
}

export async function notify(client: DbOrTx, event: NotifyEvent): Promise<{ eventId: string; created: boolean }> {
  if (!EVENT_TYPE_PATTERN.test(event.type)) throw new Error(`notify: event type ${JSON.stringify(event.type)} must be dotted lower-case, e.g. "backup.failed"`)
  if (isRootClient(client)) {
    return (client as unknown as { $transaction: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T> }).$transaction((tx) => write(tx, event))
  }
  return write(client as Tx, event)
}

async function write(tx: Tx, event: NotifyEvent) {
  const id = randomUUID()
  // ON CONFLICT DO NOTHING on the dedupe key: an error would abort the caller's transaction.
  const inserted = await tx.notificationEvent.createMany({
    data: [{
      id,
      type: event.type,
      dedupeKey: event.dedupeKey ?? null,
      severity: event.severity,
      title: event.title.slice(0, 300),
      body: event.body.slice(0, 4000),
      link: event.link ?? null,
      environmentId: event.environmentId ?? null,
      data: (event.data ?? {}) as Prisma.InputJsonValue,
    }],
    skipDuplicates: true,
  })
  if (inserted.count === 0) {
    const existing = await tx.notificationEvent.findUnique({ where: { dedupeKey: event.dedupeKey! }, select: { id: true } })
    return { eventId: existing?.id ?? id, created: false }
  }

  const direct = (event.audience.userIds ?? []).filter((u): u is string => !!u)
  const roles = event.audience.roles ?? []
  const except = (event.audience.exceptUserIds ?? []).filter((u): u is string => !!u)
  const people = await tx.user.findMany({
    where: { disabled: false, id: { notIn: except }, OR: [{ id: { in: direct } }, ...(roles.length ? [{ role: { in: roles } }] : [])] },
    select: { id: true },
  })
  if (people.length) await tx.notification.createMany({ data: people.map((p) => ({ userId: p.id, eventId: id })), skipDuplicates: true })

  const webhooks = await tx.webhook.findMany({ where: { enabled: true }, select: { id: true, events: true } })
  const targets = webhooks.filter((w) => filterMatches(w.events, event.type))
  if (targets.length) await tx.webhookDelivery.createMany({ data: targets.map((w) => ({ webhookId: w.id, eventId: id })), skipDuplicates: true })
  return { eventId: id, created: true }
}
