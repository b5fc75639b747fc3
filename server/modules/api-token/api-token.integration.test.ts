// Token authentication with the lookup cache, against the real database: how long a change
// made elsewhere (another web process, SQL) takes to reach read-only requests, and that
// state-changing requests and revocations in this process see it at once.
import { afterAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { makeUser, unique } from '@/test/factories'
import { authenticateApiToken, createApiToken, revokeApiToken } from './api-token.service'
import { TOKEN_LOOKUP_MAX_AGE_MS, TokenLookupCache } from './token-lookup-cache'

const client = { ip: '127.0.0.1', userAgent: 'vitest' }

async function freshToken(role: 'ADMIN' | 'OPERATOR' = 'ADMIN') {
  const owner = await makeUser(role)
  const created = await createApiToken({ db: db() }, owner, { type: 'USER', id: owner.id, label: owner.email }, { name: unique('t'), scopes: ['read', 'deploy:request'], expiresInDays: 1 })
  return { owner, ...created }
}

afterAll(async () => {
  await disconnectDb()
})

describe('API token lookups cached for read-only requests', () => {
  /**
   * A token read once at t0 (its lookup cached), then revoked by another process (this process's
   * cache is not told). `auth(ms, readOnly)` authenticates it at t0 + ms through that cache.
   */
  async function revokedElsewhereAfterOneRead() {
    const cache = new TokenLookupCache()
    const { token, apiToken } = await freshToken()
    const t0 = Date.now()
    const auth = (ms: number, readOnly: boolean) => authenticateApiToken({ db: db() }, token, client, { readOnly, now: new Date(t0 + ms), cache })
    expect((await auth(0, true)).ok).toBe(true)
    await db().apiToken.update({ where: { id: apiToken.id }, data: { revokedAt: new Date() } })
    return { auth, apiToken }
  }

  it('a token revoked by another process is refused at once on writes, and from then on on reads', async () => {
    const { auth, apiToken } = await revokedElsewhereAfterOneRead()
    expect(await auth(1, false)).toEqual({ ok: false, reason: 'revoked' })
    // The write re-read the row, so reads see the revocation from now on too.
    expect(await auth(2, true)).toEqual({ ok: false, reason: 'revoked' })
    expect(await db().auditEvent.count({ where: { action: 'token.refused', targetId: apiToken.id } })).toBe(2)
  })

  it(`reads are served from a lookup at most ${TOKEN_LOOKUP_MAX_AGE_MS} ms old, then the revocation applies`, async () => {
    const { auth } = await revokedElsewhereAfterOneRead()
    // Inside the window the stale lookup is used (this is the documented delay)…
    expect((await auth(TOKEN_LOOKUP_MAX_AGE_MS - 1, true)).ok).toBe(true)
    // …and at the end of it the token is refused.
    expect(await auth(TOKEN_LOOKUP_MAX_AGE_MS, true)).toEqual({ ok: false, reason: 'revoked' })
  })

  it('a revocation made in this process applies at once, to reads too (the shared cache)', async () => {
    const { owner, token, apiToken } = await freshToken()
    expect((await authenticateApiToken({ db: db() }, token, client, { readOnly: true })).ok).toBe(true)
    expect((await authenticateApiToken({ db: db() }, token, client, { readOnly: true })).ok).toBe(true)
    await revokeApiToken({ db: db() }, owner, { type: 'USER', id: owner.id, label: owner.email }, apiToken.id)
    expect(await authenticateApiToken({ db: db() }, token, client, { readOnly: true })).toEqual({ ok: false, reason: 'revoked' })
  })

  it('an owner disabled or demoted elsewhere: writes see it at once, reads within the window', async () => {
    const cache = new TokenLookupCache()
    const { owner, token } = await freshToken('OPERATOR')
    const t0 = Date.now()
    const at = (ms: number) => new Date(t0 + ms)
    await authenticateApiToken({ db: db() }, token, client, { readOnly: true, now: at(0), cache })
    await db().user.update({ where: { id: owner.id }, data: { role: 'VIEWER' } })
    const write = await authenticateApiToken({ db: db() }, token, client, { readOnly: false, now: at(1), cache })
    expect(write.ok && write.principal.user.role).toBe('VIEWER')

    await db().user.update({ where: { id: owner.id }, data: { disabled: true } })
    expect(await authenticateApiToken({ db: db() }, token, client, { readOnly: true, now: at(1 + TOKEN_LOOKUP_MAX_AGE_MS), cache })).toEqual({ ok: false, reason: 'owner_inactive' })
  })

  it('cached lookups write lastUsedAt once a minute, not once a request', async () => {
    const cache = new TokenLookupCache()
    const { token, apiToken } = await freshToken()
    const t0 = Date.now()
    await authenticateApiToken({ db: db() }, token, client, { readOnly: true, now: new Date(t0), cache })
    const first = (await db().apiToken.findUniqueOrThrow({ where: { id: apiToken.id } })).lastUsedAt
    expect(first?.getTime()).toBe(t0)
    await authenticateApiToken({ db: db() }, token, client, { readOnly: true, now: new Date(t0 + 30_000), cache })
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: apiToken.id } })).lastUsedAt?.getTime()).toBe(t0)
    await authenticateApiToken({ db: db() }, token, client, { readOnly: true, now: new Date(t0 + 61_000), cache })
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: apiToken.id } })).lastUsedAt?.getTime()).toBe(t0 + 61_000)
  })
})
