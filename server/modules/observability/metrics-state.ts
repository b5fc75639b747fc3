// Gauges that mirror Postgres and Redis state (pending approvals, backup ages, queue depth,
// audit chain), computed when Prometheus scrapes, from one snapshot cached for a few
// seconds: many gauges and 50 environments cost one round of queries, not one per series.
import { Gauge, type Registry } from 'prom-client'
import { METRIC_PREFIX } from './metrics'

export type BackupState = { environment: string; lastSucceededAt: Date | null; lastVerifiedAt: Date | null; failures: number; verifyFailures: number }

export type StateSnapshot = {
  pendingApprovals: number
  /** null when the backups tables do not exist in this database yet. */
  backups: BackupState[] | null
  queues: Array<{ queue: string; waiting: number; active: number; failed: number; delayed: number }>
  /** ok null: the chain was never verified. */
  auditChain: { ok: boolean | null; verifiedAt: Date | null; checked: number | null }
}

export type StateSource = () => Promise<StateSnapshot>

const seconds = (d: Date) => d.getTime() / 1000

/** Registers the state gauges on `registry`; each scrape reads one snapshot at most `ttlMs` old. */
export function registerStateMetrics(registry: Registry, source: StateSource, { ttlMs = 5_000 }: { ttlMs?: number } = {}) {
  let cached: { at: number; snapshot: Promise<StateSnapshot> } | undefined
  const snapshot = () => {
    const now = Date.now()
    if (!cached || now - cached.at > ttlMs) {
      const pending = source()
      cached = { at: now, snapshot: pending }
      // A failed read is not cached: the next scrape tries again.
      pending.catch(() => {
        if (cached?.snapshot === pending) cached = undefined
      })
    }
    return cached.snapshot
  }

  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (g: Gauge<L>, s: StateSnapshot) => void) =>
    new Gauge<L>({
      name: `${METRIC_PREFIX}${name}`,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const s = await snapshot()
        this.reset()
        fill(this, s)
      },
    })

  gauge('pending_approvals', 'Deployments waiting for approval.', [], (g, s) => g.set(s.pendingApprovals))
  gauge('backup_last_success_timestamp_seconds', 'Unix time of the last successful backup, per environment slug.', ['environment'], (g, s) => {
    for (const b of s.backups ?? []) if (b.lastSucceededAt) g.set({ environment: b.environment }, seconds(b.lastSucceededAt))
  })
  gauge('backup_last_verified_timestamp_seconds', 'Unix time of the last backup that passed verification, per environment slug.', ['environment'], (g, s) => {
    for (const b of s.backups ?? []) if (b.lastVerifiedAt) g.set({ environment: b.environment }, seconds(b.lastVerifiedAt))
  })
  gauge('backup_failures', 'Failed backups recorded, per environment slug.', ['environment'], (g, s) => {
    for (const b of s.backups ?? []) g.set({ environment: b.environment }, b.failures)
  })
  gauge('backup_verify_failures', 'Backups whose verification failed, per environment slug.', ['environment'], (g, s) => {
    for (const b of s.backups ?? []) g.set({ environment: b.environment }, b.verifyFailures)
  })
  gauge('backups_tracked', '1 when the backups tables exist and backup gauges are meaningful, else 0.', [], (g, s) => g.set(s.backups ? 1 : 0))
  gauge('queue_jobs', 'Jobs per queue and state (waiting, active, failed, delayed).', ['queue', 'state'], (g, s) => {
    for (const q of s.queues) for (const state of ['waiting', 'active', 'failed', 'delayed'] as const) g.set({ queue: q.queue, state }, q[state])
  })
  gauge('audit_chain_ok', 'Result of the last audit chain verification: 1 intact, 0 broken, -1 never verified.', [], (g, s) =>
    g.set(s.auditChain.ok === null ? -1 : s.auditChain.ok ? 1 : 0),
  )
  gauge('audit_chain_last_verified_timestamp_seconds', 'Unix time of the last audit chain verification.', [], (g, s) => {
    if (s.auditChain.verifiedAt) g.set(seconds(s.auditChain.verifiedAt))
  })
  gauge('audit_chain_checked_events', 'Audit events checked by the last verification.', [], (g, s) => {
    if (s.auditChain.checked !== null) g.set(s.auditChain.checked)
  })
}
