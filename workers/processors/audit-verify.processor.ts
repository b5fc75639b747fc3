// BullMQ processor for the daily audit-chain verification: verifies, records the result as an
// audit.verify event (which the portal's banner reads), and on a broken chain logs an error
// line naming the row, so log alerting fires too, and notifies (in-app and webhooks). A verify that cannot run is retried.
import { UnrecoverableError, type Job } from 'bullmq'
import type { Db } from '@/server/db'
import type { Logger } from '@/server/logger'
import { SYSTEM_ACTOR } from '@/server/modules/audit/audit'
import { auditVerifyPayload } from '@/server/modules/audit/audit-verify-schedule'
import { runAuditVerification } from '@/server/modules/audit/verify-audit-chain'
import { notify } from '@/server/modules/notification/notify'

export function createAuditVerifyProcessor(deps: { db: Db }, log: Logger) {
  return async function processAuditVerify(job: Job) {
    if (!auditVerifyPayload.safeParse(job.data).success) {
      throw new UnrecoverableError(`Job ${job.id} in ${job.queueName} has an unreadable payload; expected { v: 1 }.`)
    }
    const report = await runAuditVerification(deps, SYSTEM_ACTOR)
    if (report.ok) {
      log.info('Audit chain verified: intact', { jobId: job.id, checked: report.checked, durationMs: report.durationMs })
    } else {
      log.error(`AUDIT CHAIN BROKEN at row ${report.brokenAt}: ${report.reason}. Investigate before trusting the audit log.`, {
        jobId: job.id,
        alert: 'audit_chain_broken',
        brokenAt: report.brokenAt,
        checked: report.checked,
        durationMs: report.durationMs,
      })
      // In-app for everyone who can read the audit log, and every matching webhook. The key is
      // per job run: a retry of this run does not notify twice, tomorrow's run notifies again.
      await notify(deps.db, {
        type: 'audit.chain_broken',
        severity: 'critical',
        title: `Audit chain broken at row ${report.brokenAt}`,
        body: `${report.reason}. Someone changed or removed audit records: investigate before trusting the audit log (Audit page → Verify shows the same).`,
        link: '/audit',
        data: { brokenAt: report.brokenAt, checked: report.checked },
        audience: { roles: ['APPROVER', 'ADMIN'] },
        dedupeKey: `audit.chain_broken:${job.id}`,
      })
    }
    return report
  }
}
