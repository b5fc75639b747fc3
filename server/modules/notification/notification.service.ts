// In-app notifications: each person's list (newest first), the unread count for the bell,
// and mark-as-read. A person only ever sees and changes their own rows.
import { z } from 'zod'
import type { Db } from '@/server/db'

export const listNotificationsInput = z.object({ unreadOnly: z.boolean().default(false), limit: z.number().int().min(1).max(100).default(30) })
export const markReadInput = z.union([z.object({ ids: z.array(z.string().min(1)).min(1).max(100) }), z.object({ all: z.literal(true) })])

export async function listNotifications(deps: { db: Db }, userId: string, input: z.output<typeof listNotificationsInput>) {
  const rows = await deps.db.notification.findMany({
    where: { userId, ...(input.unreadOnly && { readAt: null }) },
    orderBy: { createdAt: 'desc' },
    take: input.limit,
    include: { event: { select: { type: true, severity: true, title: true, body: true, link: true, createdAt: true } } },
  })
  return rows.map((n) => ({ id: n.id, readAt: n.readAt, type: n.event.type, severity: n.event.severity, title: n.event.title, body: n.event.body, link: n.event.link, createdAt: n.event.createdAt }))
}

export function countUnreadNotifications(deps: { db: Db }, userId: string) {
  return deps.db.notification.count({ where: { userId, readAt: null } })
}

export async function markNotificationsRead(deps: { db: Db }, userId: string, input: z.output<typeof markReadInput>) {
  const where = 'all' in input ? { userId, readAt: null } : { userId, readAt: null, id: { in: input.ids } }
  const { count } = await deps.db.notification.updateMany({ where, data: { readAt: new Date() } })
  return { marked: count }
}
