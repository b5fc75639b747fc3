// People: admins create accounts (with a one-time password shown once), change roles,
// disable and re-enable; anyone changes their own password. All audited.
import type { z } from 'zod'
import type { Db } from '@/server/db'
import { DomainError, notFound } from '@/server/errors'
import { generateOneTimePassword, hashPassword, verifyPassword } from '@/server/auth/password'
import { audit, type AuditActor } from '@/server/modules/audit/audit'
import { Prisma } from '@/generated/prisma/client'
import type { Role } from '@/generated/prisma/enums'
import { changeOwnPasswordInput, changeRoleInput, createUserInput, setDisabledInput } from './user.schema'

export type UserDeps = { db: Db }

const publicFields = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabled: true,
  mustChangePassword: true,
  lastSignInAt: true,
  createdAt: true,
} as const

export async function listUsers(deps: UserDeps) {
  return deps.db.user.findMany({ select: publicFields, orderBy: [{ disabled: 'asc' }, { email: 'asc' }] })
}

export async function createUser(deps: UserDeps, actor: AuditActor, raw: z.input<typeof createUserInput>) {
  const input = createUserInput.parse(raw)
  const oneTimePassword = generateOneTimePassword()
  const passwordHash = await hashPassword(oneTimePassword)
  try {
    const user = await deps.db.$transaction(async (tx) => {
      const created = await tx.user.create({ data: { ...input, passwordHash, mustChangePassword: true }, select: publicFields })
      await audit(tx, actor, { action: 'user.create', targetType: 'user', targetId: created.id, summary: { after: { email: input.email, role: input.role } } })
      return created
    })
    return { user, oneTimePassword }
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new DomainError('CONFLICT', `A user with the e-mail ${input.email} already exists.`, 'email')
    }
    throw error
  }
}

/** Refuses changes that would leave nobody able to manage users. */
async function assertAnotherActiveAdmin(tx: Prisma.TransactionClient, userId: string, what: string) {
  const others = await tx.user.count({ where: { role: 'ADMIN', disabled: false, id: { not: userId } } })
  if (others === 0) throw new DomainError('PRECONDITION_FAILED', `${what} would leave no active admin. Make someone else an admin first.`)
}

export async function changeUserRole(deps: UserDeps, actor: AuditActor, raw: z.input<typeof changeRoleInput>) {
  const { userId, role } = changeRoleInput.parse(raw)
  return deps.db.$transaction(async (tx) => {
    // Row lock: two admins demoting each other at once cannot both pass the last-admin check.
    await tx.$queryRaw`SELECT id FROM "User" WHERE role = 'ADMIN' FOR UPDATE`
    const before = await tx.user.findUnique({ where: { id: userId }, select: { role: true } })
    if (!before) throw notFound('User')
    if (before.role === role) return tx.user.findUniqueOrThrow({ where: { id: userId }, select: publicFields })
    if (before.role === 'ADMIN') await assertAnotherActiveAdmin(tx, userId, 'Changing this role')
    const after = await tx.user.update({ where: { id: userId }, data: { role }, select: publicFields })
    await audit(tx, actor, { action: 'user.role_change', targetType: 'user', targetId: userId, summary: { before: { role: before.role }, after: { role } } })
    return after
  })
}

export async function setUserDisabled(deps: UserDeps, actor: AuditActor, raw: z.input<typeof setDisabledInput>) {
  const { userId, disabled } = setDisabledInput.parse(raw)
  if (disabled && actor.id === userId) throw new DomainError('PRECONDITION_FAILED', 'You cannot disable your own account. Ask another admin.')
  return deps.db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "User" WHERE role = 'ADMIN' FOR UPDATE`
    const before = await tx.user.findUnique({ where: { id: userId }, select: { role: true, disabled: true } })
    if (!before) throw notFound('User')
    if (before.disabled === disabled) return tx.user.findUniqueOrThrow({ where: { id: userId }, select: publicFields })
    if (disabled && before.role === 'ADMIN') await assertAnotherActiveAdmin(tx, userId, 'Disabling this admin')
    // Bumping the session version ends every session the person has, at their next request.
    const after = await tx.user.update({ where: { id: userId }, data: { disabled, sessionVersion: { increment: 1 } }, select: publicFields })
    await audit(tx, actor, { action: disabled ? 'user.disable' : 'user.enable', targetType: 'user', targetId: userId })
    return after
  })
}

export async function resetUserPassword(deps: UserDeps, actor: AuditActor, userId: string) {
  const oneTimePassword = generateOneTimePassword()
  const passwordHash = await hashPassword(oneTimePassword)
  const user = await deps.db.$transaction(async (tx) => {
    const exists = await tx.user.findUnique({ where: { id: userId }, select: { id: true } })
    if (!exists) throw notFound('User')
    const updated = await tx.user.update({
      where: { id: userId },
      data: { passwordHash, mustChangePassword: true, sessionVersion: { increment: 1 } },
      select: publicFields,
    })
    await audit(tx, actor, { action: 'user.password_reset', targetType: 'user', targetId: userId })
    return updated
  })
  return { user, oneTimePassword }
}

export async function changeOwnPassword(deps: UserDeps, actor: AuditActor & { id: string }, raw: z.input<typeof changeOwnPasswordInput>) {
  const input = changeOwnPasswordInput.parse(raw)
  const user = await deps.db.user.findUnique({ where: { id: actor.id }, select: { passwordHash: true } })
  if (!user) throw notFound('User')
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await audit(deps.db, actor, { action: 'user.password_change', outcome: 'failure', targetType: 'user', targetId: actor.id, summary: { reason: 'wrong_current_password' } })
    throw new DomainError('INVALID', 'The current password is wrong.', 'currentPassword')
  }
  const passwordHash = await hashPassword(input.newPassword)
  await deps.db.$transaction(async (tx) => {
    // Other sessions end; the caller signs in again with the new password (the page does it).
    await tx.user.update({ where: { id: actor.id }, data: { passwordHash, mustChangePassword: false, sessionVersion: { increment: 1 } } })
    await audit(tx, actor, { action: 'user.password_change', targetType: 'user', targetId: actor.id })
  })
}

export type BootstrapResult =
  | { created: false }
  | { created: true; email: string; oneTimePassword: string | null }

/** First start: create the first admin, from ADMIN_EMAIL/ADMIN_PASSWORD or with a one-time password. */
export async function bootstrapFirstAdmin(
  deps: UserDeps,
  input: { email?: string; password?: string; name: string },
): Promise<BootstrapResult> {
  const email = (input.email ?? 'admin@traider.local').toLowerCase()
  const oneTimePassword = input.password ? null : generateOneTimePassword()
  const passwordHash = await hashPassword(input.password ?? oneTimePassword!)
  return deps.db.$transaction(async (tx) => {
    // Serialise concurrent first starts (web and worker booting together).
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(7321004118)`
    if ((await tx.user.count()) > 0) return { created: false } as const
    const user = await tx.user.create({
      data: { email, name: input.name, role: 'ADMIN' satisfies Role, passwordHash, mustChangePassword: oneTimePassword !== null },
    })
    await audit(tx, { type: 'SYSTEM', id: null, label: 'bootstrap' }, {
      action: 'user.bootstrap_admin',
      targetType: 'user',
      targetId: user.id,
      summary: { email, passwordFrom: oneTimePassword ? 'generated' : 'ADMIN_PASSWORD' },
    })
    return { created: true, email, oneTimePassword } as const
  })
}
