// Deployments: plan, request, roll back (also the emergency path), cancel, and read them.
import { z } from 'zod'
import { assertPermission, permissionProcedure, router } from '@/server/api/trpc'
import { cancelOutput, deploymentCreatedOutput, deploymentIdInput, deploymentPageOutput, emergencyRollbackInput, listDeploymentsInput, planInput, planOutput, requestDeploymentInput, rollbackInput } from '@/server/modules/deployment/deployment.schema'
import { deploymentLogs, environmentContainerLogs, getDeployment, listDeployments, listEnvironmentContainers, listReleases } from '@/server/modules/deployment/deployment.queries'
import { cancelDeployment, planDeployment, requestDeployment, requestRollback } from '@/server/modules/deployment/deployment.service'

const createdOutput = deploymentCreatedOutput
const environmentIdInput = z.object({ environmentId: z.string().min(1) })

export const deploymentRouter = router({
  plan: permissionProcedure('deploy:request')
    .input(planInput)
    .output(planOutput)
    .query(({ ctx, input }) => planDeployment(ctx.services, input)),

  request: permissionProcedure('deploy:request')
    .input(requestDeploymentInput)
    .output(createdOutput)
    .mutation(({ ctx, input }) => requestDeployment(ctx.services, ctx.actor, input)),

  rollback: permissionProcedure('deploy:rollback')
    .input(rollbackInput.extend({ emergency: z.literal(false).default(false) }))
    .output(createdOutput)
    .mutation(async ({ ctx, input, path }) => {
      // Restoring the database as well is a restore request: it needs that permission too.
      if (input.restoreDatabase) await assertPermission(ctx, path, 'backup:restore')
      return requestRollback(ctx.services, ctx.actor, input)
    }),

  /** Break-glass: back to the last successful release, with a reason (approvals gate the rest). */
  emergencyRollback: permissionProcedure('deploy:emergency')
    .input(emergencyRollbackInput)
    .output(createdOutput)
    .mutation(({ ctx, input }) => requestRollback(ctx.services, ctx.actor, { ...input, emergency: true, restoreDatabase: false })),

  cancel: permissionProcedure('deploy:request')
    .input(deploymentIdInput)
    .output(cancelOutput)
    .mutation(({ ctx, input }) => cancelDeployment(ctx.services, ctx.actor, input.deploymentId)),

  list: permissionProcedure('deploy:read')
    .input(listDeploymentsInput)
    .output(deploymentPageOutput)
    .query(({ ctx, input }) => listDeployments(ctx.services, input)),

  get: permissionProcedure('deploy:read')
    .input(deploymentIdInput)
    .query(({ ctx, input }) => getDeployment(ctx.services, input.deploymentId)),

  logs: permissionProcedure('deploy:read')
    .input(z.object({ deploymentId: z.string().min(1), afterId: z.bigint().optional(), limit: z.number().int().min(1).max(1000).default(500) }))
    .query(({ ctx, input }) => deploymentLogs(ctx.services, input)),

  releases: permissionProcedure('deploy:read')
    .input(environmentIdInput)
    .query(({ ctx, input }) => listReleases(ctx.services, input.environmentId)),

  containers: permissionProcedure('env:read')
    .input(environmentIdInput)
    .query(({ ctx, input }) => listEnvironmentContainers(ctx.services, input.environmentId)),

  containerLogs: permissionProcedure('env:read')
    .input(z.object({ environmentId: z.string().min(1), containerId: z.string().regex(/^[0-9a-f]{12,64}$/, 'A container id is 12–64 hex characters.'), tail: z.number().int().min(1).max(2000).default(200) }))
    .output(z.array(z.string()))
    .query(({ ctx, input }) => environmentContainerLogs(ctx.services, input)),
})
