// API tokens: each person manages their own. Tokens cannot manage tokens (no scope grants
// token:manage), so a leaked token cannot mint another.
import { z } from 'zod'
import { permissionProcedure, router } from '@/server/api/trpc'
import { apiTokenIdInput, apiTokenOutput, createApiTokenInput, createdApiTokenOutput } from '@/server/modules/api-token/api-token.schema'
import { createApiToken, listApiTokens, revokeApiToken } from '@/server/modules/api-token/api-token.service'

export const apiTokenRouter = router({
  list: permissionProcedure('token:manage')
    .output(z.array(apiTokenOutput))
    .query(({ ctx }) => listApiTokens(ctx.services, ctx.user.id)),

  create: permissionProcedure('token:manage')
    .input(createApiTokenInput)
    .output(createdApiTokenOutput)
    .mutation(({ ctx, input }) => createApiToken(ctx.services, ctx.user, ctx.actor, input)),

  revoke: permissionProcedure('token:manage')
    .input(apiTokenIdInput)
    .output(apiTokenOutput)
    .mutation(({ ctx, input }) => revokeApiToken(ctx.services, ctx.user, ctx.actor, input.tokenId)),
})
