// The token lookup cache: fresh hits only for read-only requests, a bounded age, one query for
// concurrent misses, no caching of unknown tokens or failures, forgetting a revoked token, a size cap.
import { describe, expect, it, vi } from 'vitest'
import { TOKEN_LOOKUP_MAX_AGE_MS, TokenLookupCache, type TokenRow } from './token-lookup-cache'

const row = (id: string) => ({ id, name: id, prefix: 'trd_abcd', scopes: ['read'], tokenHash: 'h', userId: 'u', expiresAt: new Date(8.64e15), lastUsedAt: null, revokedAt: null, email: 'e', userName: 'n', role: 'ADMIN', mustChangePassword: false, disabled: false }) as TokenRow

describe('TokenLookupCache', () => {
  it('serves read-only lookups from memory for less than the maximum age, then reads again', async () => {
    const cache = new TokenLookupCache()
    const load = vi.fn(async () => row('t1'))
    await cache.lookup('d1', 1_000, true, load)
    await cache.lookup('d1', 1_000 + TOKEN_LOOKUP_MAX_AGE_MS - 1, true, load)
    expect(load).toHaveBeenCalledTimes(1)
    await cache.lookup('d1', 1_000 + TOKEN_LOOKUP_MAX_AGE_MS, true, load)
    expect(load).toHaveBeenCalledTimes(2)
  })

  it('the maximum age is a few seconds', () => {
    expect(TOKEN_LOOKUP_MAX_AGE_MS).toBeLessThanOrEqual(5_000)
  })

  it('requests that are not read-only always read, and refresh the entry', async () => {
    const cache = new TokenLookupCache()
    const load = vi.fn(async () => row('t1'))
    await cache.lookup('d1', 0, true, load)
    await cache.lookup('d1', 10, false, load)
    expect(load).toHaveBeenCalledTimes(2)
    await cache.lookup('d1', 4_000 + 5, true, load) // fresh from the write at t=10
    expect(load).toHaveBeenCalledTimes(2)
  })

  it('concurrent misses share one query', async () => {
    const cache = new TokenLookupCache()
    let release!: (r: TokenRow) => void
    const load = vi.fn(() => new Promise<TokenRow | undefined>((r) => (release = r)))
    const lookups = Array.from({ length: 50 }, () => cache.lookup('d1', 0, true, load))
    release(row('t1'))
    expect(new Set(await Promise.all(lookups)).size).toBe(1)
    expect(load).toHaveBeenCalledTimes(1)
  })

  it('does not keep unknown tokens or failed lookups', async () => {
    const cache = new TokenLookupCache()
    await cache.lookup('unknown', 0, true, async () => undefined)
    await expect(cache.lookup('broken', 0, true, async () => { throw new Error('db down') })).rejects.toThrow('db down')
    await Promise.resolve()
    expect(cache.size).toBe(0)
  })

  it('forgets a revoked token (and lookups still in flight) at once', async () => {
    const cache = new TokenLookupCache()
    const load = vi.fn(async () => row('t1'))
    await cache.lookup('d1', 0, true, load)
    await cache.lookup('d2', 0, true, async () => row('t2'))
    void cache.lookup('d3', 0, true, () => new Promise<TokenRow | undefined>(() => {}))
    cache.forgetToken('t1')
    expect(cache.size).toBe(1) // t2 stays
    await cache.lookup('d1', 1, true, load)
    expect(load).toHaveBeenCalledTimes(2)
  })

  it('holds at most maxEntries tokens, dropping the least recently loaded', async () => {
    const cache = new TokenLookupCache(5_000, 2)
    for (const d of ['a', 'b', 'c']) await cache.lookup(d, 0, true, async () => row(d))
    expect(cache.size).toBe(2)
    const load = vi.fn(async () => row('a'))
    await cache.lookup('a', 1, true, load)
    expect(load).toHaveBeenCalledTimes(1)
  })
})
