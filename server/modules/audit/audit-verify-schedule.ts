// The daily verification of the audit chain: a BullMQ job scheduler (upserted on every worker
// start, so restarts and several workers still leave exactly one) on the audit-verify queue.
import type { Queue } from 'bullmq'
import { z } from 'zod'
import { DEFAULT_JOB_OPTIONS } from '@/server/infra/queues'

export const AUDIT_VERIFY_QUEUE = 'audit-verify'
export const AUDIT_VERIFY_SCHEDULER_ID = 'audit-verify-daily'
/** 03:00 every day (the worker's time zone): a quiet hour for a read of the whole log. */
export const AUDIT_VERIFY_PATTERN = '0 3 * * *'

export const auditVerifyPayload = z.object({ v: z.literal(1) })
export type AuditVerifyPayload = z.infer<typeof auditVerifyPayload>

export async function scheduleDailyAuditVerify(queue: Pick<Queue, 'upsertJobScheduler'>): Promise<void> {
  await queue.upsertJobScheduler(
    AUDIT_VERIFY_SCHEDULER_ID,
    { pattern: AUDIT_VERIFY_PATTERN, tz: 'UTC' },
    { name: 'verify', data: auditVerifyPayload.parse({ v: 1 }), opts: DEFAULT_JOB_OPTIONS },
  )
}
