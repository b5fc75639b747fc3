// The approval policy decision, as one pure function: given an environment's policy, a
// request, the decisions people made on it and the time, may it start? Everything that
// gates a deployment (N-of-M, self-approval, duplicates, expiry, plan changes, freeze
// windows in the policy's time zone, the wait timer, break-glass) is decided here and
// nowhere else, so it can be tested as a table.
import type { Role } from '@/generated/prisma/enums'

export type FreezeWindow = {
  /** Days the window starts on: 0 = Sunday … 6 = Saturday, in the window's time zone. */
  days: number[]
  /** "HH:MM" local start; the window may run past midnight (end ≤ start). */
  start: string
  end: string
  timeZone: string
  label?: string
}

export type ApprovalPolicy = {
  requiredApprovals: number
  eligibleRoles: Role[]
  approvalTtlMinutes: number
  requireTotp: boolean
  waitTimerMinutes: number
  freezeWindows: FreezeWindow[]
}

export type GatedRequest = {
  requesterId: string | null
  planHash: string
  kind: 'DEPLOY' | 'ROLLBACK' | 'EMERGENCY_ROLLBACK' | 'RESTORE'
}

export type Decision = {
  approverId: string
  approverRole: Role
  decision: 'APPROVE' | 'REJECT'
  planHash: string
  decidedAt: Date
  totpVerified: boolean
}

export type PolicyOutcome =
  | { state: 'approved'; counted: string[]; needed: number; breakGlass: boolean }
  | { state: 'pending'; counted: string[]; needed: number; ignored: Array<{ approverId: string; why: string }> }
  | { state: 'rejected'; by: string; counted: string[]; needed: number }
  | { state: 'waiting'; counted: string[]; needed: number; startsAt: Date }
  | { state: 'frozen'; counted: string[]; needed: number; until: Date; window: string }

export const DEFAULT_POLICIES: Record<'DEVELOPMENT' | 'STAGING' | 'PRODUCTION', ApprovalPolicy> = {
  DEVELOPMENT: { requiredApprovals: 0, eligibleRoles: ['APPROVER', 'ADMIN'], approvalTtlMinutes: 24 * 60, requireTotp: false, waitTimerMinutes: 0, freezeWindows: [] },
  STAGING: { requiredApprovals: 1, eligibleRoles: ['APPROVER', 'ADMIN'], approvalTtlMinutes: 24 * 60, requireTotp: false, waitTimerMinutes: 0, freezeWindows: [] },
  // Production approvals need a current TOTP code from an enrolled approver (docs/approvals-and-notifications.md).
  PRODUCTION: { requiredApprovals: 2, eligibleRoles: ['APPROVER', 'ADMIN'], approvalTtlMinutes: 24 * 60, requireTotp: true, waitTimerMinutes: 0, freezeWindows: [] },
}

const MINUTE = 60_000

/** Why a decision does not count, or null when it does. */
function disqualify(policy: ApprovalPolicy, request: GatedRequest, d: Decision, now: Date): string | null {
  if (!policy.eligibleRoles.includes(d.approverRole)) return `role ${d.approverRole.toLowerCase()} may not approve here`
  if (request.requesterId !== null && d.approverId === request.requesterId) return 'the requester cannot approve their own request'
  if (d.planHash !== request.planHash) return 'given for an earlier plan: the plan changed since'
  if (d.decidedAt.getTime() + policy.approvalTtlMinutes * MINUTE <= now.getTime()) return `expired (approvals last ${policy.approvalTtlMinutes} minutes)`
  if (d.decision === 'APPROVE' && policy.requireTotp && !d.totpVerified) return 'approved without a current two-factor code'
  return null
}

export function evaluateApprovalPolicy(input: { policy: ApprovalPolicy; request: GatedRequest; decisions: Decision[]; now: Date }): PolicyOutcome {
  const { policy, request, decisions, now } = input
  const needed = policy.requiredApprovals
  // Break-glass goes to the last good release at once: no approvals, no freeze, no wait.
  if (request.kind === 'EMERGENCY_ROLLBACK') return { state: 'approved', counted: [], needed, breakGlass: true }

  const ignored: Array<{ approverId: string; why: string }> = []
  const valid: Decision[] = []
  for (const d of [...decisions].sort((a, b) => a.decidedAt.getTime() - b.decidedAt.getTime())) {
    const why = disqualify(policy, request, d, now)
    if (why) ignored.push({ approverId: d.approverId, why })
    else valid.push(d)
  }
  // One person counts once: their latest valid decision stands.
  const latestByPerson = new Map<string, Decision>()
  for (const d of valid) latestByPerson.set(d.approverId, d)
  const rejection = [...latestByPerson.values()].find((d) => d.decision === 'REJECT')
  const approvals = [...latestByPerson.values()].filter((d) => d.decision === 'APPROVE').sort((a, b) => a.decidedAt.getTime() - b.decidedAt.getTime())
  const counted = approvals.map((d) => d.approverId)
  if (rejection) return { state: 'rejected', by: rejection.approverId, counted, needed }
  if (approvals.length < needed) return { state: 'pending', counted, needed, ignored }

  const approvedAt = needed === 0 ? now : approvals[needed - 1].decidedAt
  const startsAt = new Date(approvedAt.getTime() + policy.waitTimerMinutes * MINUTE)
  if (startsAt > now) return { state: 'waiting', counted, needed, startsAt }
  for (const window of policy.freezeWindows) {
    const until = freezeEnd(window, now)
    if (until) return { state: 'frozen', counted, needed, until, window: window.label ?? `${window.start}–${window.end} ${window.timeZone}` }
  }
  return { state: 'approved', counted, needed, breakGlass: false }
}

// ─── freeze windows ──────────────────────────────────────────────────────────────────

function minutesOf(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm)
  if (!m) throw new Error(`"${hhmm}" is not a time of day: use HH:MM, e.g. 18:30`)
  return Number(m[1]) * 60 + Number(m[2])
}

const formatters = new Map<string, Intl.DateTimeFormat>()

/** Weekday and minute of the day of `at` in `timeZone`. */
function localClock(at: Date, timeZone: string): { day: number; minute: number } {
  let format = formatters.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    formatters.set(timeZone, format)
  }
  const parts = format.formatToParts(at)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'))
  return { day, minute: Number(get('hour')) * 60 + Number(get('minute')) }
}

/**
 * When the window containing `now` ends, or null if `now` is outside it. Searched minute
 * by minute over at most a week, which handles DST changes without date arithmetic.
 */
export function freezeEnd(window: FreezeWindow, now: Date): Date | null {
  if (!isFrozenAt(window, now)) return null
  let t = Math.ceil(now.getTime() / MINUTE) * MINUTE
  const limit = now.getTime() + 8 * 24 * 60 * MINUTE
  while (t < limit && isFrozenAt(window, new Date(t))) t += MINUTE
  return new Date(t)
}

export function isFrozenAt(window: FreezeWindow, at: Date): boolean {
  const start = minutesOf(window.start)
  const end = minutesOf(window.end)
  const { day, minute } = localClock(at, window.timeZone)
  if (start < end) return window.days.includes(day) && minute >= start && minute < end
  // Past midnight: the evening part on a listed day, or the morning part on the next day.
  const previousDay = (day + 6) % 7
  return (window.days.includes(day) && minute >= start) || (window.days.includes(previousDay) && minute < end)
}
