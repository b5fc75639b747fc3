// Environments: read for everyone signed in, create/edit for admins, "Check now" for operators.
import { z } from 'zod'
import { permissionProcedure, router } from '@/server/api/trpc'
import {
  createEnvironmentInput,
  environmentDetailOutput,
  environmentIdInput,
  environmentListItemOutput,
  environmentSlugInput,
  updateEnvironmentInput,
} from '@/server/modules/environment/environment.schema'
import {
  createEnvironment,
  getEnvironmentBySlug,
  listEnvironments,
  requestEnvironmentCheck,
  updateEnvironment,
} from '@/server/modules/environment/environment.service'

export const environmentRouter = router({
  list: permissionProcedure('env:read')
    .output(z.array(environmentListItemOutput))
    .query(({ ctx }) => listEnvironments(ctx.services)),

  bySlug: permissionProcedure('env:read')
    .input(environmentSlugInput)
    .output(environmentDetailOutput)
    .query(({ ctx, input }) => getEnvironmentBySlug(ctx.services, input.slug)),

  create: permissionProcedure('env:manage')
    .input(createEnvironmentInput)
    .output(z.object({ id: z.string(), slug: z.string() }))
    .mutation(({ ctx, input }) => createEnvironment(ctx.services, ctx.actor, input)),

  update: permissionProcedure('env:manage')
    .input(updateEnvironmentInput)
    .output(z.object({ id: z.string(), slug: z.string() }))
    .mutation(({ ctx, input }) => updateEnvironment(ctx.services, ctx.actor, input)),

  checkNow: permissionProcedure('env:check')
    .input(environmentIdInput)
    .output(z.object({ checkId: z.string(), alreadyQueued: z.boolean() }))
    .mutation(({ ctx, input }) => requestEnvironmentCheck(ctx.services, ctx.actor, input.id)),
})
