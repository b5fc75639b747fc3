// The audit hash chain: each row's hash = SHA-256(previous hash + "\n" + canonical JSON of
// the row's recorded fields). Pure functions, shared by the writer and the verifier.
import { hash } from 'node:crypto'

export const GENESIS_HASH = '0'.repeat(64)

export type ChainedFields = {
  at: Date
  actorType: string
  actorId: string | null
  actorLabel: string
  action: string
  targetType: string | null
  targetId: string | null
  environmentId: string | null
  ip: string | null
  userAgent: string | null
  outcome: string
  summary: unknown
}

/** JSON with object keys sorted at every depth, so jsonb's own key order cannot change a hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value !== 'object') return JSON.stringify(value)
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i])
    return `${out}]`
  }
  // Plain loops and Array#sort's default (UTF-16 code unit) order: the verifier runs this per row.
  const record = value as Record<string, unknown>
  let out = '{'
  for (const key of Object.keys(record).sort()) {
    const item = record[key]
    if (item === undefined) continue
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(item)}`
  }
  return `${out}}`
}

// The recorded fields in canonicalJson's key order, so a row is written without sorting.
const FIELD_ORDER = (
  ['at', 'actorType', 'actorId', 'actorLabel', 'action', 'targetType', 'targetId', 'environmentId', 'ip', 'userAgent', 'outcome', 'summary'] as const satisfies readonly (keyof ChainedFields)[]
).toSorted((a, b) => (a < b ? -1 : a > b ? 1 : 0))

/**
 * canonicalJson(fields) for the recorded fields only, without the generic walk: the verifier
 * hashes every row of the log, so this is its hot path (about 3× faster; same bytes, see
 * hash-chain.test.ts).
 */
export function canonicalFieldsJson(fields: ChainedFields): string {
  let out = '{'
  for (const key of FIELD_ORDER) {
    const value = fields[key]
    if (value === undefined) continue
    if (out.length > 1) out += ','
    out += `"${key}":`
    out += typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : canonicalJson(value)
  }
  return `${out}}`
}

export function chainHash(prevHash: string, fields: ChainedFields): string {
  // One-shot crypto.hash: half the cost of createHash() for inputs this small.
  return hash('sha256', `${prevHash}\n${canonicalFieldsJson(fields)}`, 'hex')
}
