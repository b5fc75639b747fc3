// Gauges that mirror Postgres and Redis state (pending approvals, backup ages, queue depth,
// audit chain), computed at scrape time from one shared snapshot: many gauges and 50
// environments cost one round of queries, not one per series, and never delay the scrape.
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
const REFRESH_DELAY_MS = 200

/**
 * Registers the state gauges on `registry`. A scrape is answered from the last snapshot; one
 * older than `ttlMs` is refreshed in the background for the next scrape (so a scrape never
 * waits on Postgres/Redis), and one older than `maxStaleMs` (or none yet) is awaited.
 */
export function registerStateMetrics(
  registry: Registry,
  source: StateSource,
  { ttlMs = 5_000, maxStaleMs = 60_000, onError }: { ttlMs?: number; maxStaleMs?: number; onError?: (error: unknown) => void } = {},
) {
  let current: { at: number; value: StateSnapshot } | undefined
  let inFlight: Promise<StateSnapshot> | undefined
  let refreshScheduled = false
  const load = () => {
    inFlight ??= source()
      .then((value) => {
        current = { at: Date.now(), value }
        return value
      })
      .finally(() => {
        inFlight = undefined
      })
    return inFlight
  }
  const snapshot = async (): Promise<StateSnapshot> => {
    const age = current ? Date.now() - current.at : Infinity
    if (!current || age > maxStaleMs) return load()
    // Refreshed for the next scrape once this one's response is out (off its path); a failure
    // is reported and the next scrape tries again.
    if (age > ttlMs && !refreshScheduled && !inFlight) {
      refreshScheduled = true
      setTimeout(() => {
        refreshScheduled = false
        load().catch((error: unknown) => onError?.(error))
      }, REFRESH_DELAY_MS).unref()
    }
    return current.value
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
