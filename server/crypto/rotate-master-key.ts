// Master-key rotation: re-wraps the data key of every sealed value in every column listed in
// sealed-columns.ts under the new master key, in one transaction (all or nothing). Values are
// never decrypted. Idempotent: a value already under the new key is left as it is, so a re-run
// after a crash or a half-switched deployment reports 0 changes for finished rows.
import type { Db } from '@/server/db'
import { rewrap, sealedKeyId, type MasterKey } from './envelope'
import { SEALED_COLUMNS, type SealedColumn } from './sealed-columns'

export type RotationReport = { table: string; column: string; rewrapped: number; alreadyCurrent: number }[]

const quote = (identifier: string) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(identifier)) throw new Error(`Unsafe SQL identifier in sealed-columns.ts: ${identifier}`)
  return `"${identifier}"`
}

/**
 * `from`: every key a value may currently be wrapped under (the old key, plus the new one when
 * re-running). Throws (and changes nothing) when any value opens under none of them.
 */
export async function rotateMasterKey(db: Db, from: readonly MasterKey[], to: MasterKey, columns: readonly SealedColumn[] = SEALED_COLUMNS): Promise<RotationReport> {
  const keys = [...from.filter((k) => k.id !== to.id), to]
  return db.$transaction(
    async (tx) => {
      const report: RotationReport = []
      for (const { table, id, column } of columns) {
        const rows = await tx.$queryRawUnsafe<{ id: string; sealed: string }[]>(
          `SELECT ${quote(id)}::text AS id, ${quote(column)} AS sealed FROM ${quote(table)} WHERE ${quote(column)} IS NOT NULL FOR UPDATE`,
        )
        let rewrapped = 0
        let alreadyCurrent = 0
        for (const row of rows) {
          if (sealedKeyId(row.sealed) === to.id) {
            alreadyCurrent++
            continue
          }
          const next = rewrap(row.sealed, keys, to)
          await tx.$executeRawUnsafe(`UPDATE ${quote(table)} SET ${quote(column)} = $1 WHERE ${quote(id)}::text = $2`, next, row.id)
          rewrapped++
        }
        report.push({ table, column, rewrapped, alreadyCurrent })
      }
      return report
    },
    { timeout: 10 * 60_000, maxWait: 30_000 },
  )
}
