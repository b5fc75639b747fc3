// Two-factor (TOTP) for people: enrollment (seed sealed with the master key, QR code and text
// secret), confirmation with a current code, 10 single-use recovery codes shown once, disable
// with a code, admin reset, and verifySecondFactor() which approvals call inside their
// transaction. The last accepted time step is stored: a code is never accepted twice. Five
// wrong codes in a row lock code entry for 15 minutes (counted outside the caller's
// transaction, which a wrong code rolls back).
import QRCode from 'qrcode'
import { z } from 'zod'
import { openText, seal } from '@/server/crypto/envelope'
import type { Db, DbOrTx, Tx } from '@/server/db'
import { DomainError, notFound } from '@/server/errors'
import { audit, type AuditActor } from '@/server/modules/audit/audit'
import { base32Decode, base32Encode, checkTotp, generateRecoveryCodes, generateTotpSecret, hashRecoveryCode, looksLikeRecoveryCode, otpauthUri, type TotpCheck } from './totp'

export const totpCodeInput = z.object({ code: z.string().trim().min(1, 'Enter the 6-digit code from your authenticator app.').max(20) })
export const userIdInput = z.object({ userId: z.string().min(1) })

type Person = AuditActor & { id: string }
const sealContext = (userId: string) => `totp:${userId}`
export const MAX_WRONG_CODES = 5
export const LOCK_MINUTES = 15

/** A wrong, malformed, replayed or spent code: counted towards the lock by withCodeAttemptLimit. */
export class SecondFactorRejected extends DomainError {
  constructor(message: string, field: string) {
    super('INVALID', message, field)
    this.name = 'SecondFactorRejected'
  }
}

/**
 * Runs `work` (which checks a code inside its own transaction). A rejected code rolls that
 * transaction back, so it is counted here, afterwards: the fifth in a row locks code entry.
 */
export async function withCodeAttemptLimit<T>(db: Db, person: AuditActor & { id: string }, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof SecondFactorRejected) await recordWrongCode(db, person)
    throw error
  }
}

async function recordWrongCode(db: Db, person: AuditActor & { id: string }, now = new Date()) {
  await db.$transaction(async (tx) => {
    const counted = await tx.totpEnrollment.updateMany({ where: { userId: person.id }, data: { failedAttempts: { increment: 1 } } })
    if (counted.count !== 1) return
    const { failedAttempts } = await tx.totpEnrollment.findUniqueOrThrow({ where: { userId: person.id }, select: { failedAttempts: true } })
    const lock = failedAttempts >= MAX_WRONG_CODES
    if (lock) await tx.totpEnrollment.update({ where: { userId: person.id }, data: { failedAttempts: 0, lockedUntil: new Date(now.getTime() + LOCK_MINUTES * 60_000) } })
    await audit(tx, person, { action: 'two_factor.code_rejected', outcome: 'denied', targetType: 'user', targetId: person.id, summary: { wrongInARow: lock ? MAX_WRONG_CODES : failedAttempts, locked: lock } })
  })
}

function refuseIfLocked(enrollment: { lockedUntil: Date | null }, now: Date) {
  if (enrollment.lockedUntil && enrollment.lockedUntil > now) {
    const minutes = Math.max(1, Math.ceil((enrollment.lockedUntil.getTime() - now.getTime()) / 60_000))
    throw new DomainError('RATE_LIMITED', `Too many wrong two-factor codes: code entry is locked for ${minutes} more minute${minutes === 1 ? '' : 's'}. Wait, then enter a current code; if your device is lost, ask an administrator to reset your two-factor.`)
  }
}

export async function twoFactorStatus(deps: { db: Db }, userId: string) {
  const enrollment = await deps.db.totpEnrollment.findUnique({ where: { userId }, select: { confirmedAt: true, createdAt: true } })
  const recoveryCodesLeft = enrollment?.confirmedAt ? await deps.db.totpRecoveryCode.count({ where: { userId, usedAt: null } }) : 0
  return { enabled: !!enrollment?.confirmedAt, enabledAt: enrollment?.confirmedAt ?? null, pending: !!enrollment && !enrollment.confirmedAt, recoveryCodesLeft }
}

/** Starts (or restarts) enrollment: a new seed, not active until confirmed with a code. */
export async function startTotpEnrollment(deps: { db: Db }, person: Person & { email: string }) {
  const existing = await deps.db.totpEnrollment.findUnique({ where: { userId: person.id }, select: { confirmedAt: true } })
  if (existing?.confirmedAt) throw new DomainError('CONFLICT', 'Two-factor authentication is already on. To move it to a new device, turn it off with a current code first, then enroll again.')
  const secret = base32Encode(generateTotpSecret())
  const uri = otpauthUri(secret, person.email)
  await deps.db.$transaction(async (tx) => {
    const secretSealed = seal(secret, sealContext(person.id))
    await tx.totpEnrollment.upsert({ where: { userId: person.id }, create: { userId: person.id, secretSealed }, update: { secretSealed, lastUsedStep: null, createdAt: new Date() } })
    await audit(tx, person, { action: 'two_factor.enroll_start', targetType: 'user', targetId: person.id })
  })
  const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })
  return { secret, otpauthUri: uri, qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(qrSvg).toString('base64')}` }
}

function codeProblem(check: Exclude<TotpCheck, { ok: true }>): string {
  switch (check.why) {
    case 'format':
      return 'Enter the 6-digit code your authenticator app shows now (digits only).'
    case 'replayed':
      return 'That code was already used: wait for the next one (codes change every 30 seconds) and enter it.'
    case 'wrong':
      return 'That code is not valid now: enter the current 6-digit code from your authenticator app. If it keeps failing, check that your phone sets its clock automatically.'
  }
}

/** Accepts the code and records its step, refusing a concurrent use of the same step. */
async function acceptTotp(tx: Tx, userId: string, secretSealed: string, lastUsedStep: bigint | null, code: string, now: Date, field: string) {
  const check = checkTotp(base32Decode(openText(secretSealed, sealContext(userId))), code, now.getTime(), lastUsedStep)
  if (!check.ok) throw new SecondFactorRejected(codeProblem(check), field)
  const stored = await tx.totpEnrollment.updateMany({
    where: { userId, OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: check.step } }] },
    data: { lastUsedStep: check.step, failedAttempts: 0 },
  })
  if (stored.count !== 1) throw new SecondFactorRejected(codeProblem({ ok: false, why: 'replayed' }), field)
}

export async function confirmTotpEnrollment(deps: { db: Db }, person: Person, input: z.output<typeof totpCodeInput>, now = new Date()) {
  return withCodeAttemptLimit(deps.db, person, () => confirmInTransaction(deps, person, input, now))
}

function confirmInTransaction(deps: { db: Db }, person: Person, input: z.output<typeof totpCodeInput>, now: Date) {
  return deps.db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "userId" FROM "TotpEnrollment" WHERE "userId" = ${person.id} FOR UPDATE`
    const enrollment = await tx.totpEnrollment.findUnique({ where: { userId: person.id } })
    if (!enrollment) throw new DomainError('PRECONDITION_FAILED', 'Start enrollment first (Settings → Two-factor authentication → Set up), then enter the code your app shows.')
    if (enrollment.confirmedAt) throw new DomainError('CONFLICT', 'Two-factor authentication is already on.')
    refuseIfLocked(enrollment, now)
    await acceptTotp(tx, person.id, enrollment.secretSealed, enrollment.lastUsedStep, input.code, now, 'code')
    await tx.totpEnrollment.update({ where: { userId: person.id }, data: { confirmedAt: now } })
    const recoveryCodes = generateRecoveryCodes()
    await tx.totpRecoveryCode.deleteMany({ where: { userId: person.id } })
    await tx.totpRecoveryCode.createMany({ data: recoveryCodes.map((code) => ({ userId: person.id, codeHash: hashRecoveryCode(code) })) })
    await audit(tx, person, { action: 'two_factor.enable', targetType: 'user', targetId: person.id, summary: { recoveryCodes: recoveryCodes.length } })
    return { recoveryCodes }
  })
}

/**
 * The second factor for a sensitive action, inside the caller's transaction. A 6-digit code is
 * checked as TOTP; with allowRecovery, a recovery code is accepted once and then spent.
 * `purpose` finishes the sentence "… needs two-factor authentication".
 */
export async function verifySecondFactor(tx: Tx, userId: string, code: string | undefined, opts: { purpose: string; allowRecovery?: boolean; field?: string; now?: Date }) {
  const field = opts.field ?? 'totpCode'
  await tx.$queryRaw`SELECT "userId" FROM "TotpEnrollment" WHERE "userId" = ${userId} FOR UPDATE`
  const enrollment = await tx.totpEnrollment.findUnique({ where: { userId } })
  if (!enrollment?.confirmedAt) {
    throw new DomainError('FORBIDDEN', `${opts.purpose} needs two-factor authentication, and you have not set it up: open Settings → Two-factor authentication, enroll your authenticator app, then try again.`)
  }
  const given = code?.trim() ?? ''
  if (!given) throw new DomainError('INVALID', `${opts.purpose} needs your current 6-digit code from your authenticator app: enter it and try again.`, field)
  refuseIfLocked(enrollment, opts.now ?? new Date())
  if (opts.allowRecovery && looksLikeRecoveryCode(given)) {
    const spent = await tx.totpRecoveryCode.updateMany({ where: { userId, codeHash: hashRecoveryCode(given), usedAt: null }, data: { usedAt: opts.now ?? new Date() } })
    if (spent.count !== 1) throw new SecondFactorRejected('That recovery code is not valid or was already used: each recovery code works once. Use another one, or a current code from your app.', field)
    await tx.totpEnrollment.update({ where: { userId }, data: { failedAttempts: 0 } })
    return { method: 'recovery_code' as const }
  }
  await acceptTotp(tx, userId, enrollment.secretSealed, enrollment.lastUsedStep, given, opts.now ?? new Date(), field)
  return { method: 'totp' as const }
}

/** Turning it off needs a current code or a recovery code (a lost phone). */
export async function disableTwoFactor(deps: { db: Db }, person: Person, input: z.output<typeof totpCodeInput>, now = new Date()) {
  return withCodeAttemptLimit(deps.db, person, () =>
    deps.db.$transaction(async (tx) => {
      const { method } = await verifySecondFactor(tx, person.id, input.code, { purpose: 'Turning two-factor authentication off', allowRecovery: true, field: 'code', now })
      await removeEnrollment(tx, person.id)
      await audit(tx, person, { action: 'two_factor.disable', targetType: 'user', targetId: person.id, summary: { method } })
      return { enabled: false }
    }),
  )
}

/** An admin clears someone's enrollment (lost device and recovery codes); they enroll again. */
export async function adminResetTwoFactor(deps: { db: Db }, actor: AuditActor, input: z.output<typeof userIdInput>) {
  return deps.db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { id: true, email: true } })
    if (!user) throw notFound('User')
    const had = await tx.totpEnrollment.findUnique({ where: { userId: user.id }, select: { confirmedAt: true } })
    if (!had) throw new DomainError('PRECONDITION_FAILED', `${user.email} has not set up two-factor authentication: there is nothing to reset.`)
    await removeEnrollment(tx, user.id)
    await audit(tx, actor, { action: 'two_factor.admin_reset', targetType: 'user', targetId: user.id, summary: { email: user.email } })
    return { reset: true }
  })
}

async function removeEnrollment(tx: DbOrTx, userId: string) {
  await tx.totpRecoveryCode.deleteMany({ where: { userId } })
  await tx.totpEnrollment.deleteMany({ where: { userId } })
}
