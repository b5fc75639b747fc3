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

/**
 * True when JSON.stringify(value) already writes canonicalJson(value): plain JSON data (as
 * JSON.parse makes it) whose object keys are in sorted order at every depth. Anything else
 * (Dates, class instances, toJSON, functions, unsorted or integer-like keys out of order)
 * answers false and takes the generic walk.
 */
function isCanonicalAsIs(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return Number.isFinite(value)
    case 'object': {
      if (value === null) return true
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isCanonicalAsIs(value[i])) return false
        return true
      }
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return false
      const record = value as Record<string, unknown>
      if (typeof record.toJSON === 'function') return false
      const keys = Object.keys(record)
      for (let i = 0; i < keys.length; i++) {
        if (i > 0 && !(keys[i - 1] < keys[i])) return false
        if (!isCanonicalAsIs(record[keys[i]])) return false
      }
      return true
    }
    default:
      return false
  }
}

// The recorded fields in canonicalJson's key order, so a row is written without sorting.
const FIELD_ORDER = (
  ['at', 'actorType', 'actorId', 'actorLabel', 'action', 'targetType', 'targetId', 'environmentId', 'ip', 'userAgent', 'outcome', 'summary'] as const satisfies readonly (keyof ChainedFields)[]
).toSorted((a, b) => (a < b ? -1 : a > b ? 1 : 0))
const TEXT_FIELDS = FIELD_ORDER.filter((key) => key !== 'at' && key !== 'summary')

/**
 * canonicalJson(fields) for the recorded fields only, without the generic walk: the verifier
 * hashes every row of the log, so this is its hot path (same bytes, see hash-chain.test.ts).
 */
export function canonicalFieldsJson(fields: ChainedFields): string {
  // Usual case: text fields, a valid Date and a summary already in canonical order (jsonb
  // often gives keys back sorted). Then one native stringify of an object built in sorted
  // key order writes exactly what canonicalJson would.
  const at = fields.at as unknown
  if (
    at instanceof Date &&
    !Number.isNaN(at.getTime()) &&
    TEXT_FIELDS.every((key) => fields[key] === null || typeof fields[key] === 'string') &&
    (fields.summary === undefined || isCanonicalAsIs(fields.summary))
  ) {
    return JSON.stringify({
      action: fields.action,
      actorId: fields.actorId,
      actorLabel: fields.actorLabel,
      actorType: fields.actorType,
      at,
      environmentId: fields.environmentId,
      ip: fields.ip,
      outcome: fields.outcome,
      summary: fields.summary,
      targetId: fields.targetId,
      targetType: fields.targetType,
      userAgent: fields.userAgent,
    } satisfies Record<(typeof FIELD_ORDER)[number], unknown>)
  }
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
