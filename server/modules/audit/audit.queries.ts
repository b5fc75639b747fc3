// Read side of the audit log: the filtered list (keyset pages, newest first), the actions
// seen so far (for the filter), every matching row oldest first for export, and the latest
// chain verification (what the portal's banner shows).
import type { Db } from '@/server/db'
import type { Prisma } from '@/generated/prisma/client'
import type { AuditFilters, AuditEventView, LastVerification, ListAuditEventsInput } from './audit.schema'

/** "deployment." and "deployment.*" mean every action under deployment; anything else is exact. */
export function actionPrefix(action: string): string | null {
  if (action.endsWith('.*')) return action.slice(0, -1)
  if (action.endsWith('.')) return action
  return null
}

// Prisma passes contains/startsWith to LIKE as is: "%" or "_" typed in a filter would match anything.
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

export function auditWhere(filters: AuditFilters): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = []
  if (filters.actor) {
    and.push({ OR: [{ actorLabel: { contains: likeLiteral(filters.actor), mode: 'insensitive' } }, { actorId: filters.actor }] })
  }
  if (filters.action) {
    const prefix = actionPrefix(filters.action)
    and.push(prefix ? { action: { startsWith: likeLiteral(prefix) } } : { action: filters.action })
  }
  if (filters.environmentId) and.push({ environmentId: filters.environmentId })
  if (filters.outcome) and.push({ outcome: filters.outcome })
  if (filters.from || filters.to) and.push({ at: { ...(filters.from && { gte: filters.from }), ...(filters.to && { lte: filters.to }) } })
  return { AND: and }
}

export async function listAuditEvents(deps: { db: Db }, input: ListAuditEventsInput): Promise<{ items: AuditEventView[]; nextCursor: bigint | null }> {
  const rows = await deps.db.auditEvent.findMany({
    where: { AND: [auditWhere(input.filters), ...(input.cursor ? [{ id: { lt: input.cursor } }] : [])] },
    orderBy: { id: 'desc' },
    take: input.limit + 1,
  })
  const more = rows.length > input.limit
  const page = more ? rows.slice(0, input.limit) : rows
  // Audit rows outlive environments (no foreign key): a deleted one shows as its id only.
  const environmentIds = [...new Set(page.map((r) => r.environmentId).filter((id): id is string => !!id))]
  const environments = environmentIds.length
    ? await deps.db.environment.findMany({ where: { id: { in: environmentIds } }, select: { id: true, name: true, slug: true, tier: true } })
    : []
  const byId = new Map(environments.map((e) => [e.id, { name: e.name, slug: e.slug, tier: e.tier }]))
  return {
    items: page.map((r) => ({ ...r, environment: r.environmentId ? (byId.get(r.environmentId) ?? null) : null })),
    nextCursor: more ? page[page.length - 1].id : null,
  }
}

/**
 * Every distinct action in the log, sorted. A loose index scan over the action index (one
 * index probe per distinct value), so it stays fast at millions of rows where DISTINCT
 * would read them all.
 */
export async function listAuditActions(deps: { db: Db }): Promise<string[]> {
  const rows = await deps.db.$queryRaw<{ action: string }[]>`
    WITH RECURSIVE actions AS (
      (SELECT action FROM "AuditEvent" ORDER BY action LIMIT 1)
      UNION ALL
      SELECT (SELECT e.action FROM "AuditEvent" e WHERE e.action > a.action ORDER BY e.action LIMIT 1)
      FROM actions a WHERE a.action IS NOT NULL
    )
    SELECT action FROM actions WHERE action IS NOT NULL`
  return rows.map((r) => r.action)
}

export type AuditEventRow = Prisma.AuditEventGetPayload<object>

/**
 * Every row matching `filters`, oldest first (chain order, so an export can be re-verified
 * top to bottom), read `pageSize` at a time. Rows appended after the call starts are not
 * included: the export is the log as it stood when it was asked for.
 */
export async function* streamAuditEvents(deps: { db: Db }, filters: AuditFilters, { pageSize = 1_000 }: { pageSize?: number } = {}): AsyncGenerator<AuditEventRow> {
  const last = await deps.db.auditEvent.findFirst({ orderBy: { id: 'desc' }, select: { id: true } })
  if (!last) return
  const where = auditWhere(filters)
  let after = 0n
  for (;;) {
    const rows = await deps.db.auditEvent.findMany({
      where: { AND: [where, { id: { gt: after, lte: last.id } }] },
      orderBy: { id: 'asc' },
      take: pageSize,
    })
    yield* rows
    if (rows.length < pageSize) return
    after = rows[rows.length - 1].id
  }
}

/** The most recent `audit.verify` event, or null if the chain was never verified. */
export async function latestAuditVerification(deps: { db: Db }): Promise<LastVerification> {
  const row = await deps.db.auditEvent.findFirst({
    where: { action: 'audit.verify' },
    orderBy: { id: 'desc' },
    select: { id: true, at: true, outcome: true, summary: true, actorLabel: true },
  })
  if (!row) return null
  const summary = (row.summary ?? {}) as { checked?: unknown; brokenAt?: unknown; reason?: unknown }
  return {
    id: row.id,
    at: row.at,
    ok: row.outcome === 'success',
    checked: typeof summary.checked === 'number' ? summary.checked : null,
    brokenAt: typeof summary.brokenAt === 'string' ? summary.brokenAt : null,
    reason: typeof summary.reason === 'string' ? summary.reason : null,
    by: row.actorLabel,
  }
}
