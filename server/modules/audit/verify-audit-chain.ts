// Walks the audit log in id order and reports the first row whose hash or link is wrong;
// runAuditVerification() also records the result as an `audit.verify` event (the portal's
// banner, the API, the CLI and the daily job all read and write the same record).
import type { Db, DbOrTx } from '@/server/db'
import { audit, type AuditActor } from './audit'
import { chainHash, GENESIS_HASH } from './hash-chain'

export type ChainReport =
  | { ok: true; checked: number }
  | { ok: false; checked: number; brokenAt: string; reason: string }

// 10,000 rows (about 5 MB) per round trip: few round trips, bounded memory.
const PAGE = 10_000
// Hand the event loop back this often while hashing, so the next page's rows arrive meanwhile.
const YIELD_EVERY = 2_000

const CHAINED_COLUMNS = {
  id: true, at: true, actorType: true, actorId: true, actorLabel: true, action: true, targetType: true, targetId: true,
  environmentId: true, ip: true, userAgent: true, outcome: true, summary: true, prevHash: true, hash: true,
} as const

const short = (hash: string) => `${hash.slice(0, 12)}…`
const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve))

export async function verifyAuditChain(client: DbOrTx, { pageSize = PAGE }: { pageSize?: number } = {}): Promise<ChainReport> {
  const readPage = (after: bigint | undefined) => {
    const page = client.auditEvent.findMany({
      where: after === undefined ? undefined : { id: { gt: after } },
      orderBy: { id: 'asc' },
      take: pageSize,
      select: CHAINED_COLUMNS,
    })
    // Read ahead; if we stop early the page is dropped, and its failure must not go unhandled.
    page.catch(() => {})
    return page
  }
  let prevHash = GENESIS_HASH
  let checked = 0
  let pending = readPage(undefined)
  for (;;) {
    const rows = await pending
    // The database reads the next page while this one is hashed.
    if (rows.length === pageSize) pending = readPage(rows[rows.length - 1].id)
    for (let i = 0; i < rows.length; i++) {
      const { id, prevHash: storedPrev, hash, ...fields } = rows[i]
      if (storedPrev !== prevHash) {
        return {
          ok: false,
          checked,
          brokenAt: id.toString(),
          reason: `row ${id} links to ${short(storedPrev)}, but the previous row's hash is ${short(prevHash)}: a row was removed or inserted before it`,
        }
      }
      if (chainHash(prevHash, fields) !== hash) {
        return { ok: false, checked, brokenAt: id.toString(), reason: `row ${id}'s contents do not match its hash: it was edited after it was written` }
      }
      prevHash = hash
      checked++
      if (i % YIELD_EVERY === YIELD_EVERY - 1) await nextTick()
    }
    if (rows.length < pageSize) return { ok: true, checked }
  }
}

/** The `audit.verify` event's summary: what the banner and the Audit page show. */
export type VerificationSummary = { checked: number; durationMs: number; brokenAt?: string; reason?: string }

/** Verifies the whole chain and records the result as an `audit.verify` event by `actor`. */
export async function runAuditVerification(deps: { db: Db }, actor: AuditActor): Promise<ChainReport & { durationMs: number }> {
  const started = performance.now()
  const report = await verifyAuditChain(deps.db)
  const durationMs = Math.round(performance.now() - started)
  const summary: VerificationSummary = report.ok
    ? { checked: report.checked, durationMs }
    : { checked: report.checked, durationMs, brokenAt: report.brokenAt, reason: report.reason }
  await audit(deps.db, actor, { action: 'audit.verify', targetType: 'audit_chain', outcome: report.ok ? 'success' : 'failure', summary })
  return { ...report, durationMs }
}
