// tRPC setup: the request context, the error formatter (zod errors flattened for forms),
// DomainError → tRPC code mapping, and the procedure ladder: public → authed → one factory
// per permission. Every procedure declares its permission in meta; the role × procedure
// matrix test reads it from the router.
import { initTRPC, TRPCError } from '@trpc/server'
import { z, ZodError } from 'zod'
import type { SessionUser } from '@/server/auth/session'
import { hasPermission, type Permission } from '@/server/auth/permissions'
import type { Services } from '@/server/container'
import type { Db } from '@/server/db'
import type { Role } from '@/generated/prisma/enums'
import { DomainError, type DomainErrorCode } from '@/server/errors'
import { audit, type AuditActor } from '@/server/modules/audit/audit'
import { observeProcedure } from '@/server/modules/observability/procedure-metrics'
import { scopeFor, tokenAllows } from '@/server/auth/api-token-scopes'
import { trpcTransformer } from './trpc-transformer'
import type { TokenIdentity } from '@/server/modules/api-token/api-token.service'

export type Context = {
  services: Services
  user: SessionUser | null
  ip: string | null
  userAgent: string | null
  /** Set when the request authenticated with an API token (its owner is `user`). */
  token?: TokenIdentity | null
}

/** What a procedure requires: a permission, any signed-in user, or nothing. */
export type ProcedureMeta = { permission: Permission | 'authenticated' | 'public'; allowWithPendingPasswordChange?: boolean }

export function actorOf(ctx: Context): AuditActor {
  return ctx.user
    ? { type: 'USER', id: ctx.user.id, label: ctx.user.email, ip: ctx.ip, userAgent: ctx.userAgent, ...(ctx.token && { viaToken: { id: ctx.token.id, name: ctx.token.name } }) }
    : { type: 'ANONYMOUS', id: null, label: 'anonymous', ip: ctx.ip, userAgent: ctx.userAgent }
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    // superjson's format (the portal's client decodes it with superjson), serialised faster.
    transformer: trpcTransformer,
    errorFormatter({ shape, error }) {
      const cause = error.cause
      const internal = error.code === 'INTERNAL_SERVER_ERROR'
      return {
        ...shape,
        // Internal failures are logged server-side (route handler's onError); the browser
        // gets words to act on, not a driver error that might quote SQL or hosts.
        message: internal ? 'The server hit an unexpected error. Try again; if it keeps happening, check the control plane logs.' : shape.message,
        data: {
          ...shape.data,
          // Never leak internals: unexpected errors reach the browser as a generic message.
          stack: undefined,
          zodError: cause instanceof ZodError ? z.flattenError(cause) : null,
          field: cause instanceof DomainError ? (cause.field ?? null) : null,
        },
      }
    },
  })

const TRPC_CODE: Record<DomainErrorCode, TRPCError['code']> = {
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  INVALID: 'BAD_REQUEST',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
}

/** Services throw DomainError (or ZodError when they re-validate); map both once, here. */
const convertDomainErrors = t.middleware(async ({ next }) => {
  const result = await next()
  if (!result.ok) {
    const cause = result.error.cause
    if (cause instanceof DomainError) {
      throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause })
    }
    if (cause instanceof ZodError) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: cause.issues[0]?.message ?? 'Invalid input.', cause })
    }
  }
  return result
})

export const router = t.router
export const createCallerFactory = t.createCallerFactory

/** Counts and times every call (traider_control_trpc_*) and, with tracing on, gives it a span. */
const procedureMetrics = t.middleware(({ path, type, next }) => observeProcedure({ path, type }, next))

export const publicProcedure = t.procedure.use(procedureMetrics).use(convertDomainErrors).meta({ permission: 'public' })

export const authedProcedure = publicProcedure.meta({ permission: 'authenticated' }).use(({ ctx, meta, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'You are signed out. Sign in again to continue.' })
  if (ctx.user.mustChangePassword && !meta?.allowWithPendingPasswordChange) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Change your one-time password first (Settings → Password).' })
  }
  // Account, two-factor and token management need the person, not a token.
  if (ctx.token && meta?.permission === 'authenticated') {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'API tokens cannot do this: sign in to the portal as yourself.' })
  }
  return next({ ctx: { ...ctx, user: ctx.user, actor: actorOf(ctx) } })
})

type PermissionContext = { services: { db: Db }; actor: AuditActor; user: { role: Role }; token?: { scopes: readonly string[] } | null }

/**
 * FORBIDDEN "Permission required: X" (audited) unless the person, and the token when one is
 * used, hold `permission`. Procedures whose input can need a second permission call it too.
 */
export async function assertPermission(ctx: PermissionContext, path: string, permission: Permission) {
  if (ctx.token && !tokenAllows(ctx.token.scopes, ctx.user.role, permission)) {
    await audit(ctx.services.db, ctx.actor, {
      action: 'auth.permission_denied',
      outcome: 'denied',
      summary: { procedure: path, permission, role: ctx.user.role, tokenScopes: [...ctx.token.scopes] },
    })
    const scope = scopeFor(permission)
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: scope
        ? `Permission required: ${permission}. This API token lacks the "${scope}" scope (or its owner's role lacks the permission): create a token with it.`
        : `Permission required: ${permission}. API tokens cannot do this: sign in to the portal as yourself.`,
    })
  }
  if (!hasPermission(ctx.user.role, permission)) {
    await audit(ctx.services.db, ctx.actor, {
      action: 'auth.permission_denied',
      outcome: 'denied',
      summary: { procedure: path, permission, role: ctx.user.role },
    })
    throw new TRPCError({ code: 'FORBIDDEN', message: `Permission required: ${permission}. Ask an administrator for a role that includes it.` })
  }
}

/** A procedure that needs `permission`: FORBIDDEN "Permission required: X" otherwise (audited). */
export function permissionProcedure(permission: Permission) {
  return authedProcedure.meta({ permission }).use(async ({ ctx, path, next }) => {
    await assertPermission(ctx, path, permission)
    return next()
  })
}
