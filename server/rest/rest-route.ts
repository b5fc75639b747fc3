// One REST endpoint, described by zod schemas: path parameters, query, body and response.
// The handler validates with them, and the OpenAPI document is generated from them.
import { z } from 'zod'
import type { Permission } from '@/server/auth/permissions'
import type { Services } from '@/server/container'
import type { SessionUser } from '@/server/auth/session'
import type { AuditActor } from '@/server/modules/audit/audit'
import type { TokenIdentity } from '@/server/modules/api-token/api-token.service'

export type RestContext = { services: Services; user: SessionUser; token: TokenIdentity; actor: AuditActor }

type EmptyObject = z.ZodObject<Record<string, never>>
export type RouteInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> = { params: z.output<P>; query: z.output<Q>; body: z.output<B> }

export type RestRoute<P extends z.ZodType = EmptyObject, Q extends z.ZodType = EmptyObject, B extends z.ZodType = EmptyObject> = {
  method: 'GET' | 'POST'
  /** OpenAPI-style template, relative to /api/v1: "/environments/{slug}". */
  path: string
  operationId: string
  summary: string
  description?: string
  tag: string
  /** The permission needed; a function when it depends on the input (emergency rollback). */
  permission: Permission | ((input: RouteInput<P, Q, B>) => Permission)
  params?: P
  query?: Q
  body?: B
  response: z.ZodType
  status?: 200 | 201 | 202
  /** Deployment requests accept an Idempotency-Key header. */
  idempotent?: boolean
  handler: (ctx: RestContext, input: RouteInput<P, Q, B>) => Promise<unknown>
}

export function defineRoute<P extends z.ZodType = EmptyObject, Q extends z.ZodType = EmptyObject, B extends z.ZodType = EmptyObject>(route: RestRoute<P, Q, B>): RestRoute<z.ZodType, z.ZodType, z.ZodType> {
  return route as unknown as RestRoute<z.ZodType, z.ZodType, z.ZodType>
}
