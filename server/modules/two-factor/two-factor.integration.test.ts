// TOTP enrollment against real Postgres through the tRPC procedures: the seed is sealed at rest,
// enrollment is inactive until confirmed, a code is never accepted twice, recovery codes are
// stored hashed and work once, disabling needs a code, and an admin reset is audited.
import * as OTPAuth from 'otpauth'
import { afterAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { callerFor, makeUser, trpcFailure } from '@/test/factories'
import { totpCode } from '@/test/totp'
import { randomBytes } from 'node:crypto'
import { currentMasterKey, masterKeyFrom, openText, sealedKeyId } from '@/server/crypto/envelope'
import { rotateMasterKey } from '@/server/crypto/rotate-master-key'
import { hashRecoveryCode } from './totp'
import { verifySecondFactor } from './two-factor.service'

afterAll(disconnectDb)

const failure = trpcFailure

describe('TOTP enrollment', () => {
  it('enrolls with a QR code and text secret, confirms with a code, shows 10 recovery codes once', async () => {
    const user = await makeUser('APPROVER')
    const caller = callerFor(user)
    expect(await caller.twoFactor.status()).toMatchObject({ enabled: false, pending: false })

    const started = await caller.twoFactor.startEnrollment({})
    expect(started.secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(started.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/)
    expect(Buffer.from(started.qrDataUrl.split(',')[1], 'base64').toString()).toContain('<svg')
    const parsed = OTPAuth.URI.parse(started.otpauthUri) as OTPAuth.TOTP
    expect(parsed.secret.base32).toBe(started.secret)
    expect(parsed.label).toBe(user.email)

    // Sealed at rest: the stored column is an envelope, never the secret.
    const row = await db().totpEnrollment.findUniqueOrThrow({ where: { userId: user.id } })
    expect(row.secretSealed).toMatch(/^v1\./)
    expect(row.secretSealed).not.toContain(started.secret)
    expect(row.confirmedAt).toBeNull()
    expect(await caller.twoFactor.status()).toMatchObject({ enabled: false, pending: true })

    const wrong = await failure(caller.twoFactor.confirmEnrollment({ code: '000000' === totpCode(started.secret) ? '111111' : '000000' }))
    expect(wrong.code).toBe('BAD_REQUEST')
    expect(wrong.message).toContain('That code is not valid now')

    const code = totpCode(started.secret)
    const { recoveryCodes } = await caller.twoFactor.confirmEnrollment({ code })
    expect(recoveryCodes).toHaveLength(10)
    expect(await caller.twoFactor.status()).toMatchObject({ enabled: true, pending: false, recoveryCodesLeft: 10 })
    // Stored hashed only.
    const stored = await db().totpRecoveryCode.findMany({ where: { userId: user.id } })
    expect(stored.map((r) => r.codeHash).sort()).toEqual(recoveryCodes.map(hashRecoveryCode).sort())
    expect(JSON.stringify(stored)).not.toContain(recoveryCodes[0])

    // Once on, enrollment cannot silently restart (that would swap the seed).
    const again = await failure(caller.twoFactor.startEnrollment({}))
    expect(again.code).toBe('CONFLICT')

    // The confirming code cannot be used again to turn it off (replay).
    const replay = await failure(caller.twoFactor.disable({ code }))
    expect(replay.message).toContain('That code was already used')

    // A recovery code works once.
    const recovery = recoveryCodes[3]
    await expect(caller.twoFactor.disable({ code: recovery.toUpperCase() })).resolves.toEqual({ enabled: false })
    expect(await db().totpRecoveryCode.count({ where: { userId: user.id } })).toBe(0)
    const actions = (await db().auditEvent.findMany({ where: { targetId: user.id, action: { startsWith: 'two_factor.' } }, orderBy: { id: 'asc' } })).map((e) => [e.action, e.summary])
    expect(actions).toEqual([
      ['two_factor.enroll_start', null],
      ['two_factor.code_rejected', { wrongInARow: 1, locked: false }],
      ['two_factor.enable', { recoveryCodes: 10 }],
      ['two_factor.code_rejected', { wrongInARow: 1, locked: false }],
      ['two_factor.disable', { method: 'recovery_code' }],
    ])
  })

  it('spends a recovery code once, and disabling with a current code works', async () => {
    const user = await makeUser('APPROVER')
    const caller = callerFor(user)
    const { secret } = await caller.twoFactor.startEnrollment({})
    const { recoveryCodes } = await caller.twoFactor.confirmEnrollment({ code: totpCode(secret, -1) })
    const spent = await db().$transaction((tx) => verifySecondFactor(tx, user.id, recoveryCodes[0], { purpose: 'A test', allowRecovery: true }))
    expect(spent).toEqual({ method: 'recovery_code' })
    expect(await caller.twoFactor.status()).toMatchObject({ recoveryCodesLeft: 9 })
    const reused = await failure(caller.twoFactor.disable({ code: recoveryCodes[0] }))
    expect(reused.message).toContain('That recovery code is not valid or was already used')
    const none = await failure(caller.twoFactor.disable({ code: '' }))
    expect(none.code).toBe('BAD_REQUEST')
    await expect(caller.twoFactor.disable({ code: totpCode(secret) })).resolves.toEqual({ enabled: false })
    expect(await caller.twoFactor.status()).toMatchObject({ enabled: false, pending: false })
  })

  it('five wrong codes in a row lock code entry for 15 minutes, even for a right code; audited', async () => {
    const user = await makeUser('APPROVER')
    const caller = callerFor(user)
    const { secret } = await caller.twoFactor.startEnrollment({})
    await caller.twoFactor.confirmEnrollment({ code: totpCode(secret, -1) })
    const wrong = String((Number(totpCode(secret)) + 1) % 1_000_000).padStart(6, '0')
    const count = async () => (await db().totpEnrollment.findUniqueOrThrow({ where: { userId: user.id } })).failedAttempts
    // A right code resets the count.
    for (let i = 0; i < 2; i++) expect((await failure(caller.twoFactor.disable({ code: wrong }))).code).toBe('BAD_REQUEST')
    expect(await count()).toBe(2)
    await db().$transaction((tx) => verifySecondFactor(tx, user.id, totpCode(secret), { purpose: 'A test' }))
    expect(await count()).toBe(0)

    for (let i = 0; i < 5; i++) expect((await failure(caller.twoFactor.disable({ code: wrong }))).code).toBe('BAD_REQUEST')
    const locked = await failure(caller.twoFactor.disable({ code: totpCode(secret, 1) }))
    expect(locked.code).toBe('TOO_MANY_REQUESTS')
    expect(locked.message).toMatch(/^Too many wrong two-factor codes: code entry is locked for 1[45] more minutes\./)
    const rejected = await db().auditEvent.findMany({ where: { action: 'two_factor.code_rejected', targetId: user.id }, orderBy: { id: 'asc' } })
    expect(rejected).toHaveLength(7)
    expect(rejected.at(-1)).toMatchObject({ outcome: 'denied', summary: { locked: true, wrongInARow: 5 } })
    // Once the lock has passed, a right code works.
    await db().totpEnrollment.update({ where: { userId: user.id }, data: { lockedUntil: new Date(Date.now() - 1_000) } })
    await expect(caller.twoFactor.disable({ code: totpCode(secret, 1) })).resolves.toEqual({ enabled: false })
  })

  it('an admin resets a lost enrollment (audited); others may not', async () => {
    const [user, admin, operator] = await Promise.all([makeUser('APPROVER'), makeUser('ADMIN'), makeUser('OPERATOR')])
    const { secret } = await callerFor(user).twoFactor.startEnrollment({})
    await callerFor(user).twoFactor.confirmEnrollment({ code: totpCode(secret) })
    const denied = await failure(callerFor(operator).twoFactor.adminReset({ userId: user.id }))
    expect(denied.code).toBe('FORBIDDEN')
    await expect(callerFor(admin).twoFactor.adminReset({ userId: user.id })).resolves.toEqual({ reset: true })
    expect(await callerFor(user).twoFactor.status()).toMatchObject({ enabled: false })
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: 'two_factor.admin_reset', targetId: user.id } })
    expect(event.actorId).toBe(admin.id)
    const nothing = await failure(callerFor(admin).twoFactor.adminReset({ userId: user.id }))
    expect(nothing.message).toContain('has not set up two-factor authentication')
  })

  it('master-key rotation re-wraps TOTP seeds and webhook signing keys (listed in sealed-columns)', async () => {
    const [user, admin] = await Promise.all([makeUser('APPROVER'), makeUser('ADMIN')])
    const { secret } = await callerFor(user).twoFactor.startEnrollment({})
    const { id: webhookId, signingKey } = await callerFor(admin).webhook.create({ name: 'rotation', url: 'https://hooks.example.test/x', format: 'GENERIC', events: ['never.matches'] })
    const old = currentMasterKey()
    const next = masterKeyFrom(randomBytes(32))
    try {
      const report = await rotateMasterKey(db(), [old], next)
      expect(report.find((r) => r.table === 'TotpEnrollment')!.rewrapped).toBeGreaterThanOrEqual(1)
      expect(report.find((r) => r.table === 'Webhook')!.rewrapped).toBeGreaterThanOrEqual(1)
      const seed = (await db().totpEnrollment.findUniqueOrThrow({ where: { userId: user.id } })).secretSealed
      const key = (await db().webhook.findUniqueOrThrow({ where: { id: webhookId } })).signingKeySealed
      expect(sealedKeyId(seed)).toBe(next.id)
      expect(openText(seed, `totp:${user.id}`, [next])).toBe(secret)
      expect(openText(key, `webhook:${webhookId}`, [next])).toBe(signingKey)
    } finally {
      // Back to the configured key, so later tests in this run read their values.
      await rotateMasterKey(db(), [next, old], old)
      await db().webhook.delete({ where: { id: webhookId } })
    }
  })
})
