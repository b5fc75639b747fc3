// The fast tRPC transformer must put exactly superjson's bytes on the wire, for plain data
// (its own path) and for everything it hands to superjson.
import superjson from 'superjson'
import { describe, expect, it, vi } from 'vitest'
import { serializeForTrpc, trpcTransformer } from './trpc-transformer'

const at = new Date('2026-01-02T03:04:05.678Z')
const page = {
  items: Array.from({ length: 3 }, (_, i) => ({
    id: `dep-${i}`, number: i, kind: 'DEPLOY', status: 'SUCCEEDED', requestedAt: new Date(at.getTime() - i), startedAt: i ? null : new Date(at), finishedAt: undefined,
    outcome: null, environment: { id: 'env-1', name: 'Env 1', slug: 'env-1', tier: 'PRODUCTION' }, release: { id: 'rel-1', number: 1 },
  })),
  nextCursor: null,
}
const shared = { a: 1 }
const cyclic: Record<string, unknown> = { name: 'loop' }
cyclic.self = cyclic
const holey = [1, , 3]
const withExtra = Object.assign([1, 2], { extra: new Date(at) })

const cases: Array<[string, unknown]> = [
  ['a deployments page (Dates, null, undefined, nesting)', page],
  ['a bare Date', new Date(at)],
  ['undefined', undefined],
  ['null', null],
  ['a string', 'hello'],
  ['numbers', { a: 1.5, b: -3, c: 0 }],
  ['an empty object and array', { a: {}, b: [] }],
  ['keys with dots and backslashes', { 'a.b': { 'c\\d': new Date(at) }, '': undefined }],
  ['a null-prototype object', Object.assign(Object.create(null) as object, { when: new Date(at) })],
  ['a bigint', { id: 12345678901234567890n, other: 12345678901234567890n }],
  ['NaN, Infinity and -0', { a: Number.NaN, b: Infinity, c: -0 }],
  ['a Map and a Set', { m: new Map([['k', new Date(at)]]), s: new Set([1, 2]) }],
  ['the same object twice', { x: shared, y: shared }],
  ['the same Date twice', { x: at, y: at }],
  ['a cycle', cyclic],
  ['an invalid Date', { when: new Date(Number.NaN) }],
  ['an Error', { error: new Error('boom') }],
  ['a class instance', { url: new URL('http://127.0.0.1/x') }],
  ['an array with a hole', { holey }],
  ['an array with an extra property', { withExtra }],
]

describe('serializeForTrpc', () => {
  it.each(cases)('%s: same output as superjson.serialize, to the byte', (_name, value) => {
    const expected = superjson.serialize(value)
    const actual = serializeForTrpc(value)
    expect(actual).toEqual(expected)
    expect(JSON.stringify(actual)).toBe(JSON.stringify(expected))
  })

  it('serialises plain data itself and hands the rest to superjson', () => {
    const spy = vi.spyOn(superjson, 'serialize')
    serializeForTrpc(page)
    expect(spy).not.toHaveBeenCalled()
    serializeForTrpc({ m: new Map() })
    expect(spy).toHaveBeenCalledTimes(1)
    spy.mockRestore()
  })

  it('refuses prototype-polluting keys like superjson does', () => {
    const value = JSON.parse('{"__proto__": {"x": 1}}') as unknown
    expect(() => superjson.serialize(value)).toThrow(/prototype pollution/)
    expect(() => serializeForTrpc(value)).toThrow(/prototype pollution/)
  })

  it('round-trips through superjson.deserialize (what the portal runs)', () => {
    const back = trpcTransformer.deserialize(JSON.parse(JSON.stringify(serializeForTrpc(page))) as ReturnType<typeof superjson.serialize>) as typeof page
    expect(back).toEqual(page)
    expect(back.items[0].requestedAt).toBeInstanceOf(Date)
    expect('finishedAt' in back.items[0] && back.items[0].finishedAt).toBeUndefined()
  })
})
