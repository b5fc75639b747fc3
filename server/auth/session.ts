// Who is signed in. The JWT only says who signed in and at which session version; every
// request re-reads the user, so disabling someone or changing their password or role takes
// effect at once.
import { getServerSession } from 'next-auth'
import type { Role } from '@/generated/prisma/enums'
import { db } from '@/server/db'
import { authOptions } from './auth-options'

export type SessionUser = {
  id: string
  email: string
  name: string
  role: Role
  mustChangePassword: boolean
}

export async function loadActiveUser(userId: string | undefined, sessionVersion: number | undefined): Promise<SessionUser | null> {
  if (!userId || sessionVersion === undefined) return null
  const user = await db().user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, name: true, role: true, mustChangePassword: true, disabled: true, sessionVersion: true },
  })
  if (!user || user.disabled || user.sessionVersion !== sessionVersion) return null
  return { id: user.id, email: user.email, name: user.name, role: user.role, mustChangePassword: user.mustChangePassword }
}

/** The signed-in, still-active user for a server component, route handler or tRPC call. */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions())
  return session?.user ?? null
}
