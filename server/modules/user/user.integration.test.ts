// User management against real Postgres: one-time passwords, last-admin protection,
// disabling ends sessions at once (the session re-check), and own password changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { loadActiveUser } from '@/server/auth/session'
import { verifyPassword } from '@/server/auth/password'
import { callerFor, makeUser, TEST_PASSWORD, unique, trpcFailure } from '@/test/factories'
import { freshDatabase } from '@/test/fresh-database'
import { bootstrapFirstAdmin } from './user.service'

let admin: Awaited<ReturnType<typeof makeUser>>
beforeAll(async () => {
  admin = await makeUser('ADMIN')
})
afterAll(disconnectDb)

const failure = trpcFailure

describe('user.create', () => {
  it('returns a one-time password once, stores only its hash, and forces a change', async () => {
    const email = `${unique('ana')}@example.test`
    const { user, oneTimePassword } = await callerFor(admin).user.create({ email: email.toUpperCase(), name: 'Ana', role: 'APPROVER' })
    expect(user).toMatchObject({ email, role: 'APPROVER', mustChangePassword: true })
    const row = await db().user.findUniqueOrThrow({ where: { id: user.id } })
    expect(row.passwordHash).not.toContain(oneTimePassword)
    expect(await verifyPassword(row.passwordHash, oneTimePassword)).toBe(true)
    const auditRow = await db().auditEvent.findFirstOrThrow({ where: { action: 'user.create', targetId: user.id } })
    expect(JSON.stringify({ ...auditRow, id: String(auditRow.id) })).not.toContain(oneTimePassword)
  })

  it('refuses a duplicate e-mail on the e-mail field', async () => {
    const existing = await makeUser('VIEWER')
    const error = await failure(callerFor(admin).user.create({ email: existing.email, name: 'Dup', role: 'VIEWER' }))
    expect(error.code).toBe('CONFLICT')
    expect(error.message).toContain('already exists')
  })
})

describe('roles and disabling', () => {
  it('a disabled user loses their session at the next request', async () => {
    const user = await makeUser('OPERATOR')
    expect(await loadActiveUser(user.id, 0)).not.toBeNull()
    await callerFor(admin).user.setDisabled({ userId: user.id, disabled: true })
    expect(await loadActiveUser(user.id, 0)).toBeNull()
    // Re-enabled: the old token stays dead (its session version moved on); a new sign-in works.
    await callerFor(admin).user.setDisabled({ userId: user.id, disabled: false })
    expect(await loadActiveUser(user.id, 0)).toBeNull()
    expect(await loadActiveUser(user.id, 2)).not.toBeNull()
  })

  it('an admin cannot disable themselves', async () => {
    const error = await failure(callerFor(admin).user.setDisabled({ userId: admin.id, disabled: true }))
    expect(error.code).toBe('PRECONDITION_FAILED')
    expect(error.message).toContain('cannot disable your own account')
  })

  it('refuses to demote the last active admin', async () => {
    // Make every other admin inactive for this check, then restore them.
    const others = await db().user.findMany({ where: { role: 'ADMIN', disabled: false, id: { not: admin.id } }, select: { id: true } })
    await db().user.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { disabled: true } })
    try {
      const error = await failure(callerFor(admin).user.changeRole({ userId: admin.id, role: 'VIEWER' }))
      expect(error.code).toBe('PRECONDITION_FAILED')
      expect(error.message).toContain('would leave no active admin')
      expect((await db().user.findUniqueOrThrow({ where: { id: admin.id } })).role).toBe('ADMIN')
    } finally {
      await db().user.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { disabled: false } })
    }
  })

  it('changes a role and audits before/after', async () => {
    const user = await makeUser('VIEWER')
    await callerFor(admin).user.changeRole({ userId: user.id, role: 'APPROVER' })
    const auditRow = await db().auditEvent.findFirstOrThrow({ where: { action: 'user.role_change', targetId: user.id } })
    expect(auditRow.summary).toEqual({ before: { role: 'VIEWER' }, after: { role: 'APPROVER' } })
  })
})

describe('passwords', () => {
  it('reset gives a new one-time password and ends existing sessions', async () => {
    const user = await makeUser('VIEWER')
    const { oneTimePassword } = await callerFor(admin).user.resetPassword({ userId: user.id })
    const row = await db().user.findUniqueOrThrow({ where: { id: user.id } })
    expect(row).toMatchObject({ mustChangePassword: true, sessionVersion: 1 })
    expect(await verifyPassword(row.passwordHash, oneTimePassword)).toBe(true)
  })

  it('someone with a pending one-time password can only change it', async () => {
    const user = await makeUser('ADMIN', { mustChangePassword: true })
    const caller = callerFor({ ...user, mustChangePassword: true })
    const blocked = await failure(caller.environment.list())
    expect(blocked.code).toBe('FORBIDDEN')
    expect(blocked.message).toContain('Change your one-time password first')
    await expect(caller.account.me()).resolves.toMatchObject({ mustChangePassword: true })
    await caller.account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: 'a-brand-new-passphrase-7' })
    const row = await db().user.findUniqueOrThrow({ where: { id: user.id } })
    expect(row.mustChangePassword).toBe(false)
    expect(await verifyPassword(row.passwordHash, 'a-brand-new-passphrase-7')).toBe(true)
  })

  it.each([
    ['a wrong current password', { currentPassword: 'wrong-wrong-1', newPassword: 'a-brand-new-passphrase-7' }, 'The current password is wrong.'],
    ['a short new password', { currentPassword: TEST_PASSWORD, newPassword: 'short1' }, 'Use at least 12 characters.'],
    ['letters only', { currentPassword: TEST_PASSWORD, newPassword: 'onlylettershere' }, 'Mix letters with digits or symbols.'],
    ['the same password', { currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD }, 'must differ'],
  ])('refuses %s', async (_label, input, message) => {
    const user = await makeUser('VIEWER')
    const error = await failure(callerFor(user).account.changePassword(input))
    expect(error.code).toBe('BAD_REQUEST')
    expect(JSON.stringify({ m: error.message, c: (error.cause as Error)?.message })).toContain(message)
  })
})

describe('bootstrapFirstAdmin', () => {
  it('does nothing once users exist', async () => {
    expect(await bootstrapFirstAdmin({ db: db() }, { name: 'Admin' })).toEqual({ created: false })
  })

  it('on an empty database creates exactly one admin with a one-time password, even when started twice at once', async () => {
    const fresh = await freshDatabase()
    try {
      const results = await Promise.all([1, 2, 3].map(() => bootstrapFirstAdmin({ db: fresh.db as never }, { name: 'Admin', email: 'Root@Example.test' })))
      const created = results.filter((r) => r.created)
      expect(created).toHaveLength(1)
      const [first] = created as Array<{ email: string; oneTimePassword: string }>
      expect(first.email).toBe('root@example.test')
      const admins = await fresh.db.user.findMany()
      expect(admins).toHaveLength(1)
      expect(admins[0]).toMatchObject({ role: 'ADMIN', mustChangePassword: true })
      expect(await verifyPassword(admins[0].passwordHash, first.oneTimePassword)).toBe(true)
      expect(await fresh.db.auditEvent.count({ where: { action: 'user.bootstrap_admin' } })).toBe(1)
    } finally {
      await fresh.drop()
    }
  })

  it('uses ADMIN_PASSWORD when given, without forcing a change', async () => {
    const fresh = await freshDatabase()
    try {
      const result = await bootstrapFirstAdmin({ db: fresh.db as never }, { name: 'Admin', email: 'ops@example.test', password: 'given-by-operator-42' })
      expect(result).toEqual({ created: true, email: 'ops@example.test', oneTimePassword: null })
      const [user] = await fresh.db.user.findMany()
      expect(user.mustChangePassword).toBe(false)
      expect(await verifyPassword(user.passwordHash, 'given-by-operator-42')).toBe(true)
    } finally {
      await fresh.drop()
    }
  })
})
