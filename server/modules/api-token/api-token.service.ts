// API tokens: create (the secret is returned once), list, revoke, and authenticate a bearer
// token. Only the SHA-256 of the token is stored: a 256-bit random token needs no slow hash,
// and a database leak does not reveal usable tokens. Read-only requests may reuse a lookup
// up to 5 s old (token-lookup-cache.ts); requests that change anything always read the database.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { z } from 'zod'
import type { Db } from '@/server/db'
import { DomainError, notFound } from '@/server/errors'
import { audit, type AuditActor } from '@/server/modules/audit/audit'
import type { SessionUser } from '@/server/auth/session'
import type { createApiTokenInput } from './api-token.schema'
import { tokenLookupCache, type TokenLookupCache, type TokenRow } from './token-lookup-cache'

export const TOKEN_PREFIX = 'trd_'
const TOKEN_PATTERN = /^trd_[A-Za-z0-9_-]{43}$/
/** lastUsedAt is written at most this often per token, so reads stay reads. */
const LAST_USED_RESOLUTION_MS = 60_000

export type TokenIdentity = { id: string; name: string; scopes: string[] }
export type TokenPrincipal = { user: SessionUser; token: TokenIdentity }
export type TokenRefusal = 'malformed' | 'unknown' | 'revoked' | 'expired' | 'owner_inactive'
export type TokenAuthResult = { ok: true; principal: TokenPrincipal } | { ok: false; reason: TokenRefusal }

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

const listSelect = { id: true, name: true, prefix: true, scopes: true, createdAt: true, expiresAt: true, lastUsedAt: true, revokedAt: true } as const

export async function createApiToken(deps: { db: Db }, owner: { id: string }, actor: AuditActor, input: z.output<typeof createApiTokenInput>, now = new Date()) {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url')
  const expiresAt = new Date(now.getTime() + input.expiresInDays * 86_400_000)
  return deps.db.$transaction(async (tx) => {
    const row = await tx.apiToken.create({
      data: { userId: owner.id, name: input.name, prefix: token.slice(0, 8), tokenHash: hashToken(token), scopes: input.scopes, expiresAt },
      select: listSelect,
    })
    await audit(tx, actor, { action: 'token.create', targetType: 'api_token', targetId: row.id, summary: { name: row.name, prefix: row.prefix, scopes: row.scopes, expiresAt: expiresAt.toISOString() } })
    return { token, apiToken: row }
  })
}

export function listApiTokens(deps: { db: Db }, ownerId: string) {
  return deps.db.apiToken.findMany({ where: { userId: ownerId }, orderBy: { createdAt: 'desc' }, select: listSelect, take: 200 })
}

export async function revokeApiToken(deps: { db: Db }, owner: { id: string }, actor: AuditActor, tokenId: string) {
  return deps.db.$transaction(async (tx) => {
    const row = await tx.apiToken.findUnique({ where: { id: tokenId } })
    // Someone else's token reads as missing: ids are not a way to probe other people's tokens.
    if (!row || row.userId !== owner.id) throw notFound('The API token')
    if (row.revokedAt) throw new DomainError('PRECONDITION_FAILED', `Token "${row.name}" was already revoked.`)
    const revoked = await tx.apiToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() }, select: listSelect })
    await audit(tx, actor, { action: 'token.revoke', targetType: 'api_token', targetId: row.id, summary: { name: row.name, prefix: row.prefix } })
    return revoked
  }).finally(() => tokenLookupCache.forgetToken(tokenId))
}

export type AuthenticateOptions = {
  /**
   * The request only reads (GET): the token and its owner may come from a lookup at most
   * TOKEN_LOOKUP_MAX_AGE_MS old, so a revocation or an owner's demotion made by another process
   * reaches reads within that time. Anything else re-reads them: changes take effect at once.
   */
  readOnly?: boolean
  now?: Date
  cache?: TokenLookupCache
  /** Asked before a refusal is audited; false skips the row (token-refusal-throttle.ts). */
  auditRefusal?: () => Promise<boolean>
}

/** Bearer token → the owner and the token, or why it is refused (each refusal is audited). */
export async function authenticateApiToken(
  deps: { db: Db },
  token: string,
  client: { ip: string | null; userAgent: string | null },
  { readOnly = false, now = new Date(), cache = tokenLookupCache, auditRefusal }: AuthenticateOptions = {},
): Promise<TokenAuthResult> {
  const refuse = async (reason: TokenRefusal, row?: { id: string; name: string; prefix: string; userId: string }) => {
    if (auditRefusal && !(await auditRefusal())) return { ok: false, reason } as const
    await audit(
      deps.db,
      { type: 'TOKEN', id: row?.id ?? null, label: row ? `token ${row.prefix}… (${row.name})` : 'unknown token', ip: client.ip, userAgent: client.userAgent },
      { action: 'token.refused', outcome: 'denied', targetType: row ? 'api_token' : undefined, targetId: row?.id, summary: { reason, ownerId: row?.userId ?? null } },
    )
    return { ok: false, reason } as const
  }
  if (!TOKEN_PATTERN.test(token)) return refuse('malformed')
  const digest = hashToken(token)
  // One round trip with the owner (every API request passes here: see `npm run bench:api`).
  const row = await cache.lookup(digest, now.getTime(), readOnly, async () => {
    const [found] = await deps.db.$queryRaw<TokenRow[]>`
      SELECT t.id, t.name, t.prefix, t.scopes, t."tokenHash", t."userId", t."expiresAt", t."lastUsedAt", t."revokedAt",
             u.email, u.name AS "userName", u.role::text AS role, u."mustChangePassword", u.disabled
        FROM "ApiToken" t JOIN "User" u ON u.id = t."userId"
       WHERE t."tokenHash" = ${digest}`
    return found
  })
  // The lookup is by hash; compare again in constant time so no early-exit string compare decides.
  if (!row || !timingSafeEqual(Buffer.from(row.tokenHash, 'hex'), Buffer.from(digest, 'hex'))) return refuse('unknown')
  if (row.revokedAt) return refuse('revoked', row)
  if (row.expiresAt <= now) return refuse('expired', row)
  if (row.disabled) return refuse('owner_inactive', row)
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Marked first, so requests sharing a cached lookup do not all write; conditional, so
    // concurrent requests in other processes write it once.
    row.lastUsedAt = now
    await deps.db.apiToken.updateMany({
      where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }] },
      data: { lastUsedAt: now },
    })
  }
  return {
    ok: true,
    principal: {
      user: { id: row.userId, email: row.email, name: row.userName, role: row.role, mustChangePassword: row.mustChangePassword },
      token: { id: row.id, name: row.name, scopes: row.scopes },
    },
  }
}

/** "Authorization: Bearer trd_…" → the token, or null when the header is absent or another scheme. */
export function bearerToken(headers: Headers): string | null {
  const value = headers.get('authorization')
  const match = value?.match(/^Bearer\s+(\S+)\s*$/i)
  return match ? match[1] : null
}

export const REFUSAL_MESSAGES: Record<TokenRefusal, string> = {
  malformed: 'The bearer token is not a TRAIDER API token (they start with "trd_"): copy the whole token.',
  unknown: 'This API token is not known: it may have been mistyped or deleted. Create a new one in Settings → API tokens.',
  revoked: 'This API token was revoked. Create a new one in Settings → API tokens.',
  expired: 'This API token has expired. Create a new one in Settings → API tokens.',
  owner_inactive: 'The account that owns this API token is disabled. Ask an administrator.',
}
