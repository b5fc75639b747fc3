// Reads the state the metrics gauges mirror: a handful of aggregate queries, whatever the
// number of environments. Backups are read from the backups tables with SQL so this keeps
// working while that module's own query functions evolve; absent tables → backups: null.
import type { Db } from '@/server/db'
import { queueDepths } from '@/server/infra/queues'
import { countPendingApprovals } from '@/server/modules/approval/approval.service'
import { latestAuditVerification } from '@/server/modules/audit/audit.queries'
import type { BackupState, StateSnapshot } from './metrics-state'

let backupTableSeen = false

export async function readBackupState(db: Db): Promise<BackupState[] | null> {
  if (!backupTableSeen) {
    const [{ present }] = await db.$queryRaw<{ present: boolean }[]>`SELECT to_regclass('"Backup"') IS NOT NULL AS present`
    if (!present) return null
    backupTableSeen = true
  }
  const rows = await db.$queryRaw<Array<{ slug: string; last_ok: Date | null; last_verified: Date | null; failures: bigint; verify_failures: bigint }>>`
    SELECT e.slug,
           max(b."finishedAt") FILTER (WHERE b.status = 'SUCCEEDED') AS last_ok,
           max(b."verifiedAt") FILTER (WHERE b.verified IS TRUE) AS last_verified,
           count(*) FILTER (WHERE b.status = 'FAILED') AS failures,
           count(*) FILTER (WHERE b.verified IS FALSE) AS verify_failures
    FROM "Environment" e LEFT JOIN "Backup" b ON b."environmentId" = e.id
    GROUP BY e.slug`
  return rows.map((r) => ({ environment: r.slug, lastSucceededAt: r.last_ok, lastVerifiedAt: r.last_verified, failures: Number(r.failures), verifyFailures: Number(r.verify_failures) }))
}

export function controlPlaneStateSource(deps: { db: Db; queueNames: readonly string[] }) {
  return async (): Promise<StateSnapshot> => {
    const [pendingApprovals, backups, queues, audit] = await Promise.all([
      countPendingApprovals(deps),
      readBackupState(deps.db),
      queueDepths(deps.queueNames),
      latestAuditVerification(deps),
    ])
    return { pendingApprovals, backups, queues, auditChain: { ok: audit ? audit.ok : null, verifiedAt: audit?.at ?? null, checked: audit?.checked ?? null } }
  }
}
