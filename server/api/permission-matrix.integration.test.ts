// The role × procedure matrix, generated from the router itself: every procedure must
// declare a permission, and each role must be refused (FORBIDDEN) or let through exactly as
// the permission table says. A new procedure without a check fails here.
import { TRPCError } from '@trpc/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appRouter } from '@/server/api/root'
import type { ProcedureMeta } from '@/server/api/trpc'
import { hasPermission, PERMISSIONS, ROLES, type Permission } from '@/server/auth/permissions'
import { disconnectDb } from '@/server/db'
import { callerFor, makeUser } from '@/test/factories'
import type { Role } from '@/generated/prisma/enums'

// Procedures anyone may call signed out. Keep this list short and deliberate.
const PUBLIC_PROCEDURES: string[] = []

type AnyProcedure = { _def: { meta?: ProcedureMeta; type: string } }
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>)

async function callWithJunk(role: Role | null, path: string) {
  const user = role ? users[role] : null
  const caller = callerFor(user) as unknown as Record<string, unknown>
  const fn = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (i: unknown) => Promise<unknown>
  try {
    // Junk input: validation fails after the permission check, so nothing is changed.
    await fn({ __junk: true })
    return 'OK'
  } catch (error) {
    return error instanceof TRPCError ? error : (error as Error)
  }
}

const users = {} as Record<Role, Awaited<ReturnType<typeof makeUser>>>
beforeAll(async () => {
  for (const role of ROLES) users[role] = await makeUser(role)
})
afterAll(disconnectDb)

describe('role × procedure matrix', () => {
  it('the router has procedures to check', () => {
    expect(procedures.length).toBeGreaterThan(5)
  })

  it.each(procedures.map(([path, p]) => [path, p._def.meta?.permission ?? '(none)'] as const))(
    '%s declares a known permission (%s)',
    (path, permission) => {
      const known = ['authenticated', ...Object.keys(PERMISSIONS), ...(PUBLIC_PROCEDURES.includes(path) ? ['public'] : [])]
      expect(known, `procedure ${path} must be built with permissionProcedure(...) or authedProcedure`).toContain(permission)
    },
  )

  for (const [path, procedure] of procedures) {
    const permission = procedure._def.meta?.permission
    if (permission === 'public') continue

    it(`${path}: signed out → UNAUTHORIZED`, async () => {
      const outcome = await callWithJunk(null, path)
      expect(outcome).toBeInstanceOf(TRPCError)
      expect((outcome as TRPCError).code).toBe('UNAUTHORIZED')
    })

    for (const role of ROLES) {
      const allowed = permission === 'authenticated' || hasPermission(role, permission as Permission)
      it(`${path}: ${role} → ${allowed ? 'allowed' : 'FORBIDDEN'}`, async () => {
        const outcome = await callWithJunk(role, path)
        if (allowed) {
          // Let through: either it ran, or it failed on the junk input — never on permissions.
          if (outcome instanceof TRPCError) expect(['BAD_REQUEST', 'NOT_FOUND']).toContain(outcome.code)
          else expect(outcome).toBe('OK')
        } else {
          expect(outcome).toBeInstanceOf(TRPCError)
          expect((outcome as TRPCError).code).toBe('FORBIDDEN')
          expect((outcome as TRPCError).message).toContain(`Permission required: ${permission}`)
        }
      })
    }
  }
})
