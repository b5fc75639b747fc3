// Secrets: names and metadata (secret:read), write-only set/rotate and delete (secret:write),
// store settings (env:manage), and redeploying the services a rotation affects (deploy:request).
// No procedure returns a secret value: the outputs below have no field that could hold one.
import { z } from 'zod'
import { permissionProcedure, router } from '@/server/api/trpc'
import { deleteSecretInput, environmentInput, secretsOverviewOutput, setSecretInput, updateStoreInput } from '@/server/modules/secret/secret.schema'
import { deleteSecret, getSecretsOverview, redeployAffectedServices, setSecret, updateSecretStore } from '@/server/modules/secret/secret.service'

export const secretRouter = router({
  overview: permissionProcedure('secret:read')
    .input(environmentInput)
    .output(secretsOverviewOutput)
    .query(({ ctx, input }) => getSecretsOverview(ctx.services, input.environmentId)),

  set: permissionProcedure('secret:write')
    .input(setSecretInput)
    .output(z.object({ name: z.string(), version: z.number(), rotated: z.boolean() }))
    .mutation(({ ctx, input }) => setSecret(ctx.services, ctx.actor, input)),

  delete: permissionProcedure('secret:write')
    .input(deleteSecretInput)
    .output(z.object({ name: z.string() }))
    .mutation(({ ctx, input }) => deleteSecret(ctx.services, ctx.actor, input)),

  updateStore: permissionProcedure('env:manage')
    .input(updateStoreInput)
    .output(z.object({ backend: z.enum(['EMBEDDED', 'VAULT']) }))
    .mutation(({ ctx, input }) => updateSecretStore(ctx.services, ctx.actor, input)),

  redeployAffected: permissionProcedure('deploy:request')
    .input(environmentInput)
    .output(z.object({ id: z.string(), number: z.number() }))
    .mutation(({ ctx, input }) => redeployAffectedServices(ctx.services, ctx.actor, input)),
})
