// Approvals: the inbox, approve/reject (people only: the procedure needs a signed-in user),
// and each environment's approval policy.
import { z } from 'zod'
import { permissionProcedure, router } from '@/server/api/trpc'
import { approvalPolicyInput, approveInput, pendingApprovalOutput, rejectInput } from '@/server/modules/approval/approval.schema'
import { approveDeployment, countPendingApprovals, getApprovalPolicy, listPendingApprovals, rejectDeployment, updateApprovalPolicy } from '@/server/modules/approval/approval.service'

const decidedOutput = z.object({ id: z.string(), number: z.number(), releaseNumber: z.number(), approval: z.string(), queued: z.boolean() })

export const approvalRouter = router({
  pending: permissionProcedure('deploy:read')
    .output(z.array(pendingApprovalOutput))
    .query(({ ctx }) => listPendingApprovals(ctx.services, ctx.user.id)),

  pendingCount: permissionProcedure('deploy:read')
    .output(z.number())
    .query(({ ctx }) => countPendingApprovals(ctx.services)),

  approve: permissionProcedure('deploy:approve')
    .input(approveInput)
    .output(decidedOutput)
    .mutation(({ ctx, input }) => approveDeployment(ctx.services, { ...ctx.actor, type: 'USER', id: ctx.user.id, role: ctx.user.role }, input)),

  reject: permissionProcedure('deploy:approve')
    .input(rejectInput)
    .output(decidedOutput)
    .mutation(({ ctx, input }) => rejectDeployment(ctx.services, { ...ctx.actor, type: 'USER', id: ctx.user.id, role: ctx.user.role }, input)),

  policy: permissionProcedure('env:read')
    .input(z.object({ environmentId: z.string().min(1) }))
    .query(({ ctx, input }) => getApprovalPolicy(ctx.services, input.environmentId)),

  updatePolicy: permissionProcedure('env:manage')
    .input(approvalPolicyInput)
    .mutation(({ ctx, input }) => updateApprovalPolicy(ctx.services, ctx.actor, input)),
})
