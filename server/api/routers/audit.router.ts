// The audit log: list and filter it, the actions it holds, verify its hash chain (recorded as
// an audit.verify event), and the latest verification, which every signed-in user's banner reads.
import { z } from 'zod'
import { permissionProcedure, router } from '@/server/api/trpc'
import { latestAuditVerification, listAuditActions, listAuditEvents } from '@/server/modules/audit/audit.queries'
import { auditPageOutput, chainReportOutput, lastVerificationOutput, listAuditEventsInput } from '@/server/modules/audit/audit.schema'
import { runAuditVerification } from '@/server/modules/audit/verify-audit-chain'

export const auditRouter = router({
  list: permissionProcedure('audit:read')
    .input(listAuditEventsInput)
    .output(auditPageOutput)
    .query(({ ctx, input }) => listAuditEvents(ctx.services, input)),

  actions: permissionProcedure('audit:read')
    .output(z.array(z.string()))
    .query(({ ctx }) => listAuditActions(ctx.services)),

  verify: permissionProcedure('audit:read')
    .output(chainReportOutput)
    .mutation(({ ctx }) => runAuditVerification(ctx.services, ctx.actor)),

  lastVerification: permissionProcedure('env:read')
    .output(lastVerificationOutput)
    .query(({ ctx }) => latestAuditVerification(ctx.services)),
})
