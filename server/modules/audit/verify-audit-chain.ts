// Walks the audit log in id order and reports the first row whose hash or link is wrong.
import type { DbOrTx } from '@/server/db'
import { chainHash, GENESIS_HASH } from './hash-chain'

export type ChainReport =
  | { ok: true; checked: number }
  | { ok: false; checked: number; brokenAt: string; reason: string }

const PAGE = 5_000

export async function verifyAuditChain(client: DbOrTx): Promise<ChainReport> {
  let prevHash = GENESIS_HASH
  let checked = 0
  let cursor: bigint | undefined
  for (;;) {
    const rows = await client.auditEvent.findMany({
      where: cursor === undefined ? undefined : { id: { gt: cursor } },
      orderBy: { id: 'asc' },
      take: PAGE,
    })
    for (const row of rows) {
      const { id, prevHash: storedPrev, hash, ...fields } = row
      if (storedPrev !== prevHash) {
        return { ok: false, checked, brokenAt: id.toString(), reason: `row ${id} links to ${storedPrev.slice(0, 12)}…, but the previous row's hash is ${prevHash.slice(0, 12)}…: a row was removed or inserted before it` }
      }
      const expected = chainHash(prevHash, fields)
      if (expected !== hash) {
        return { ok: false, checked, brokenAt: id.toString(), reason: `row ${id}'s contents do not match its hash: it was edited after it was written` }
      }
      prevHash = hash
      checked++
    }
    if (rows.length < PAGE) return { ok: true, checked }
    cursor = rows[rows.length - 1].id
  }
}
