// audit(): the one way anything is written to the append-only, hash-chained audit log.
// Call it with the transaction that makes the change, so the record and the change commit
// (or roll back) together.
import type { Db, DbOrTx } from '@/server/db'
import type { ActorType } from '@/generated/prisma/client'
import { canonicalFieldsJson, type ChainedFields } from './hash-chain'

/** Who did it, and from where. Built once per request (see server/api/trpc.ts). */
export type AuditActor = {
  type: ActorType
  id: string | null
  label: string
  ip?: string | null
  userAgent?: string | null
  /** Set when a person acted through an API token: recorded in the entry's summary as viaToken. */
  viaToken?: { id: string; name: string }
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

type ChainRow = Omit<ChainedFields, 'at'> & { at: string; canonical: string }

function isRootClient(client: DbOrTx): client is Db {
  return typeof (client as { $transaction?: unknown }).$transaction === 'function'
}

/**
 * Appends one event. With a transaction, the event joins it (one statement: the chain lock is
 * then held until that transaction ends). With the root client, events from concurrent callers
 * are group-committed: one statement and one commit link a whole batch, which is what lets the
 * log take thousands of events a second while every event stays durable when the call returns.
 */
export async function audit(client: DbOrTx, actor: AuditActor, entry: AuditEntry): Promise<void> {
  const row = chainRow(actor, entry)
  if (isRootClient(client)) return committerFor(client).append(row)
  await appendRows(client, [row])
}

function chainRow(actor: AuditActor, entry: AuditEntry): ChainRow {
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
    summary: actor.viaToken ? { ...entry.summary, viaToken: actor.viaToken } : (entry.summary ?? null),
  }
  // The database links the chain (audit_append in the migrations): it hashes the previous hash
  // with exactly this text, so the verifier's chainHash() gives the same bytes.
  return { ...fields, at: (fields.at as Date).toISOString(), canonical: canonicalFieldsJson(fields) }
}

async function appendRows(client: DbOrTx, rows: readonly ChainRow[]): Promise<void> {
  await client.$executeRaw`SELECT audit_append(${JSON.stringify(rows)}::jsonb)`
}

// Per process and client: at most one batch in flight; events arriving meanwhile form the next.
const MAX_BATCH = 500
type Pending = { row: ChainRow; resolve: () => void; reject: (error: unknown) => void }

class GroupCommitter {
  private pending: Pending[] = []
  private flushing = false

  constructor(private readonly client: Db) {}

  append(row: ChainRow): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row, resolve, reject })
      if (!this.flushing) void this.flush()
    })
  }

  private async flush() {
    this.flushing = true
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH)
        try {
          await appendRows(this.client, batch.map((p) => p.row))
          for (const p of batch) p.resolve()
        } catch (error) {
          if (batch.length === 1) batch[0].reject(error)
          // One bad event must not take the others down with it: append them one by one.
          else for (const p of batch) await appendRows(this.client, [p.row]).then(p.resolve, p.reject)
        }
      }
    } finally {
      this.flushing = false
    }
  }
}

const committers = new WeakMap<Db, GroupCommitter>()

function committerFor(client: Db): GroupCommitter {
  let committer = committers.get(client)
  if (!committer) committers.set(client, (committer = new GroupCommitter(client)))
  return committer
}
