// Unit tests for the audit chain's canonical JSON and hash.
import { describe, expect, it } from 'vitest'
import { canonicalJson, chainHash, GENESIS_HASH, type ChainedFields } from './hash-chain'

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
