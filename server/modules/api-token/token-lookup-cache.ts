// In-process cache of API-token lookups (the token row with its owner), keyed by the token's
// SHA-256, so read-only API requests skip a database round trip for at most MAX_AGE_MS.
import type { Role } from '@/generated/prisma/enums'

/** A read-only request may use a lookup this old: revocation, owner changes reach reads within it. */
export const TOKEN_LOOKUP_MAX_AGE_MS = 5_000
const MAX_ENTRIES = 10_000

export type TokenRow = {
  id: string; name: string; prefix: string; scopes: string[]; tokenHash: string; userId: string; expiresAt: Date; lastUsedAt: Date | null; revokedAt: Date | null
  email: string; userName: string; role: Role; mustChangePassword: boolean; disabled: boolean
}

type Entry = { fetchedAt: number; row: Promise<TokenRow | undefined>; settled?: TokenRow }

/**
 * Only found rows stay cached (an unknown token is looked up, and audited, every time, and
 * cannot push real tokens out). Concurrent misses for one token share a single query.
 */
export class TokenLookupCache {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly maxAgeMs = TOKEN_LOOKUP_MAX_AGE_MS,
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  /** The row for `digest`: from the cache when `allowCached` and fresh, else from `load` (then cached). */
  lookup(digest: string, nowMs: number, allowCached: boolean, load: () => Promise<TokenRow | undefined>): Promise<TokenRow | undefined> {
    const cached = this.entries.get(digest)
    if (allowCached && cached && nowMs - cached.fetchedAt < this.maxAgeMs && cached.fetchedAt <= nowMs) return cached.row
    const entry: Entry = { fetchedAt: nowMs, row: load() }
    this.entries.delete(digest) // re-inserted last: Map order is the eviction order
    this.entries.set(digest, entry)
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
    entry.row.then(
      (row) => {
        if (row) entry.settled = row
        else this.forget(digest, entry)
      },
      () => this.forget(digest, entry),
    )
    return entry.row
  }

  /** After a revocation in this process: its next request reads the database (lookups in flight are dropped too). */
  forgetToken(tokenId: string): void {
    for (const [digest, entry] of this.entries) {
      if (!entry.settled || entry.settled.id === tokenId) this.entries.delete(digest)
    }
  }

  clear(): void {
    this.entries.clear()
  }

  get size(): number {
    return this.entries.size
  }

  private forget(digest: string, entry: Entry) {
    if (this.entries.get(digest) === entry) this.entries.delete(digest)
  }
}

/** The web process's cache (every API request of the process shares it). */
export const tokenLookupCache = new TokenLookupCache()
