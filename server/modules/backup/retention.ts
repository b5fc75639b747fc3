// Which backups retention removes, as one pure function: older than the retention window,
// except the newest `keepFulls` full (or logical) backups, the newest verified backup (never
// the only proof there is), and any full an incremental still kept depends on.
export type RetentionCandidate = {
  id: string
  kind: 'FULL' | 'INCREMENTAL' | 'LOGICAL'
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'PRUNED'
  startedAt: Date
  verified: boolean | null
}

export type RetentionPolicy = { retentionDays: number; keepFulls: number }

export type RetentionDecision = { prune: string[]; kept: Array<{ id: string; why: string }> }

const DAY = 24 * 60 * 60 * 1000

export function selectPrunable(backups: RetentionCandidate[], policy: RetentionPolicy, now: Date): RetentionDecision {
  const cutoff = now.getTime() - policy.retentionDays * DAY
  const newestFirst = [...backups].filter((b) => b.status === 'SUCCEEDED' || b.status === 'FAILED').sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())
  const protectedWhy = new Map<string, string>()
  const good = newestFirst.filter((b) => b.status === 'SUCCEEDED')
  good.filter((b) => b.kind !== 'INCREMENTAL').slice(0, policy.keepFulls).forEach((b) => protectedWhy.set(b.id, `one of the newest ${policy.keepFulls} full backups`))
  const lastVerified = good.find((b) => b.verified === true)
  if (lastVerified) protectedWhy.set(lastVerified.id, 'the newest verified backup')

  const keep = new Set<string>()
  for (const b of newestFirst) {
    if (protectedWhy.has(b.id) || b.startedAt.getTime() >= cutoff) keep.add(b.id)
  }
  // An incremental needs the full it was taken on (the newest full before it).
  const chronological = [...good].reverse()
  let lastFull: RetentionCandidate | null = null
  for (const b of chronological) {
    if (b.kind === 'FULL') lastFull = b
    else if (b.kind === 'INCREMENTAL' && keep.has(b.id) && lastFull && !keep.has(lastFull.id)) {
      keep.add(lastFull.id)
      protectedWhy.set(lastFull.id, `incremental ${b.id} depends on it`)
    }
  }
  const prune = newestFirst.filter((b) => !keep.has(b.id)).map((b) => b.id)
  const kept = newestFirst.filter((b) => keep.has(b.id)).map((b) => ({ id: b.id, why: protectedWhy.get(b.id) ?? `newer than ${policy.retentionDays} days` }))
  return { prune, kept }
}
