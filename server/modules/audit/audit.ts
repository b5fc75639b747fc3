// audit(): the one way anything is written to the append-only, hash-chained audit log.
// Call it with the transaction that makes the change, so the record and the change commit
// (or roll back) together.
import type { DbOrTx, Tx } from '@/server/db'
import type { ActorType, Prisma } from '@/generated/prisma/client'
import { chainHash, GENESIS_HASH, type ChainedFields } from './hash-chain'

/** Who did it, and from where. Built once per request (see server/api/trpc.ts). */
export type AuditActor = {
  type: ActorType
  id: string | null
  label: string
  ip?: string | null
  userAgent?: string | null
}

export type AuditEntry = {
  action: string
  targetType?: string
  targetId?: string
  environmentId?: string
  outcome?: 'success' | 'failure' | 'denied'
  /** A small before/after or detail record. Never secret values: names only. */
  summary?: Record<string, unknown>
}

export const SYSTEM_ACTOR: AuditActor = { type: 'SYSTEM', id: null, label: 'system' }

// Arbitrary constant: the advisory lock that serialises appends so the chain never forks.
const AUDIT_CHAIN_LOCK = 7_321_004_117

function isRootClient(client: DbOrTx): client is DbOrTx & { $transaction: unknown } {
  return typeof (client as { $transaction?: unknown }).$transaction === 'function'
}

export async function audit(client: DbOrTx, actor: AuditActor, entry: AuditEntry): Promise<void> {
  if (isRootClient(client)) {
    // No caller transaction (e.g. a failed sign-in, which changes nothing else): make one,
    // because the chain lock is held until commit.
    await (client as unknown as { $transaction: (fn: (tx: Tx) => Promise<void>) => Promise<void> }).$transaction(
      (tx) => appendToChain(tx, actor, entry),
    )
    return
  }
  await appendToChain(client as Tx, actor, entry)
}

async function appendToChain(tx: Tx, actor: AuditActor, entry: AuditEntry) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK}::bigint)`
  const last = await tx.auditEvent.findFirst({ orderBy: { id: 'desc' }, select: { hash: true } })
  const prevHash = last?.hash ?? GENESIS_HASH
  const fields: ChainedFields = {
    at: new Date(),
    actorType: actor.type,
    actorId: actor.id,
    actorLabel: actor.label,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    environmentId: entry.environmentId ?? null,
    ip: actor.ip ?? null,
    userAgent: actor.userAgent ? actor.userAgent.slice(0, 512) : null,
    outcome: entry.outcome ?? 'success',
    summary: entry.summary ?? null,
  }
  await tx.auditEvent.create({
    data: {
      ...fields,
      actorType: actor.type,
      summary: (fields.summary ?? undefined) as Prisma.InputJsonValue | undefined,
      prevHash,
      hash: chainHash(prevHash, fields),
    },
  })
}
