// Unit tests for the audit chain's canonical JSON and hash.
import { describe, expect, it } from 'vitest'
import { canonicalFieldsJson, canonicalJson, chainHash, GENESIS_HASH, type ChainedFields } from './hash-chain'

const fields: ChainedFields = {
  at: new Date('2026-01-02T03:04:05.678Z'),
  actorType: 'USER',
  actorId: 'u1',
  actorLabel: 'ana@example.test',
  action: 'environment.create',
  targetType: 'environment',
  targetId: 'e1',
  environmentId: 'e1',
  ip: '127.0.0.1',
  userAgent: null,
  outcome: 'success',
  summary: { after: { tier: 'PRODUCTION', name: 'prod' } },
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}')
  })
  it('writes dates as ISO strings', () => {
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}')
  })
})

describe('chainHash', () => {
  it('does not depend on key order (jsonb reorders keys)', () => {
    const reordered = { ...fields, summary: { after: { name: 'prod', tier: 'PRODUCTION' } } }
    expect(chainHash(GENESIS_HASH, reordered)).toBe(chainHash(GENESIS_HASH, fields))
  })
  it('changes when any field or the previous hash changes', () => {
    const base = chainHash(GENESIS_HASH, fields)
    expect(chainHash('1'.repeat(64), fields)).not.toBe(base)
    expect(chainHash(GENESIS_HASH, { ...fields, actorLabel: 'mallory' })).not.toBe(base)
    expect(chainHash(GENESIS_HASH, { ...fields, at: new Date(fields.at.getTime() + 1) })).not.toBe(base)
  })
})

describe('canonicalFieldsJson (the fast path chainHash uses)', () => {
  const summaries: unknown[] = [
    null,
    undefined,
    { after: { name: 'prod', tier: 'PRODUCTION' } },
    { role: 'VIEWER', procedure: 'user.list', permission: 'user:manage' },
    { 10: 'ten', 9: 'nine', a: [3, { z: 1, y: [null, undefined, true] }] },
    { reason: 'line one, "quoted"\nline two', emoji: 'ünïcødé ✓ \u2028', n: -0, big: 1e21, frac: 1.5 },
    { at: new Date('2026-01-02T03:04:05.678Z'), nested: { b: new Date(0), a: 'x' } },
    [{ b: 1, a: 2 }, 'x', 3],
    { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, gone: undefined },
    Object.assign(Object.create(null) as Record<string, unknown>, { b: 2, a: 1 }),
    { withToJson: { toJSON: () => 'replaced', a: 1 } },
    'just a string',
    42,
  ]
  it.each(summaries.map((summary, i) => [i, summary]))('writes the same bytes as canonicalJson (case %i)', (_i, summary) => {
    const f = { ...fields, summary }
    expect(canonicalFieldsJson(f)).toBe(canonicalJson(f))
    // jsonb gives keys back in its own order: the hash must not change.
    if (summary && typeof summary === 'object' && !Array.isArray(summary)) {
      const reversed = Object.fromEntries(Object.entries(summary).reverse())
      expect(chainHash(GENESIS_HASH, { ...fields, summary: reversed })).toBe(chainHash(GENESIS_HASH, f))
    }
  })
  it('matches canonicalJson off the fast path too (odd field types, unsorted summary)', () => {
    const odd = [
      { ...fields, actorId: 5 as unknown as string },
      { ...fields, targetId: { b: 1, a: 2 } as unknown as string },
      { ...fields, at: '2026-01-02T03:04:05.678Z' as unknown as Date },
      { ...fields, summary: { b: 1, a: 2 } },
    ]
    for (const f of odd) expect(canonicalFieldsJson(f)).toBe(canonicalJson(f))
    expect(() => canonicalFieldsJson({ ...fields, at: new Date(Number.NaN) })).toThrow(RangeError)
  })
  it('writes null fields, so clearing one changes the hash', () => {
    expect(chainHash(GENESIS_HASH, { ...fields, ip: null })).not.toBe(chainHash(GENESIS_HASH, fields))
    expect(canonicalFieldsJson({ ...fields, userAgent: null })).toContain('"userAgent":null')
  })
})
