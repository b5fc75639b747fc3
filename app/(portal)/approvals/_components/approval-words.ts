// The approval gate and policies in words: the server's progress line ("1 of 2 approvals",
// "approved; waits until <ISO> (wait timer)") made readable and countable, and a policy as
// one sentence ("Production: 2 approvals from approver or admin, approvals last 24 h, …").
import { TIER_LABELS, type Tier } from '@/components/tier-badge'
import { formatDateTime, plural } from '@/lib/format'
import type { Role } from '@/generated/prisma/enums'

const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g

/** The server's gate line with its ISO timestamps in the viewer's time zone. */
export function gateWords(progress: string): string {
  return progress.replace(ISO, (iso) => formatDateTime(new Date(iso))).replace(/^approved; waits until/, 'approved; starts at')
}

export type GateProgress = {
  /** Approvals that count so far and how many the policy needs; null once approved. */
  counted: number | null
  needed: number | null
  /** "pending": still needs approvals · "approved": will start (maybe later) · other states as words. */
  state: 'pending' | 'approved' | 'rejected'
  words: string
}

export function gateProgress(progress: string): GateProgress {
  const counts = /^(\d+) of (\d+) approvals?$/.exec(progress)
  if (counts) return { counted: Number(counts[1]), needed: Number(counts[2]), state: 'pending', words: progress }
  if (progress === 'rejected') return { counted: null, needed: null, state: 'rejected', words: progress }
  return { counted: null, needed: null, state: 'approved', words: gateWords(progress) }
}

/** 1440 → "24 h", 90 → "1 h 30 min", 2880 → "2 d", 45 → "45 min". */
export function formatMinutes(minutes: number): string {
  if (minutes >= 2 * 1440 && minutes % 1440 === 0) return `${minutes / 1440} d`
  if (minutes < 60) return `${minutes} min`
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  return m ? `${h} h ${m} min` : `${h} h`
}

/** ["OPERATOR", "APPROVER", "ADMIN"] → "operator, approver or admin". */
export function rolesWords(roles: readonly Role[]): string {
  const words = roles.map((r) => r.toLowerCase())
  if (words.length <= 1) return words[0] ?? 'nobody'
  return `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`
}

/** The policy's two-factor rule in words (card and editor). */
export function totpWords(requireTotp: boolean): string {
  return requireTotp ? 'Two-factor: each approver enters a current code from their authenticator app' : 'Two-factor: not required for approvals here'
}

export const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const

/** "Fri, Sat 18:00–23:59 Europe/London (release freeze)". */
export function freezeWindowWords(window: { days: number[]; start: string; end: string; timeZone: string; label?: string }): string {
  const days = [...window.days].sort((a, b) => a - b).map((d) => DAY_NAMES[d] ?? `day ${d}`).join(', ')
  const overnight = window.end <= window.start ? ' (to the next day)' : ''
  return `${days} ${window.start}–${window.end}${overnight} ${window.timeZone}${window.label ? ` (${window.label})` : ''}`
}

type PolicyFacts = { requiredApprovals: number; eligibleRoles: Role[]; approvalTtlMinutes: number; waitTimerMinutes: number; freezeWindows: unknown[] }

/** "Production: 2 approvals from approver or admin, approvals last 24 h, no wait timer, no freeze windows". */
export function describePolicy(tier: Tier, policy: PolicyFacts): string {
  const parts =
    policy.requiredApprovals === 0
      ? ['no approvals needed (requests start at once)']
      : [`${plural(policy.requiredApprovals, 'approval')} from ${rolesWords(policy.eligibleRoles)}`, `approvals last ${formatMinutes(policy.approvalTtlMinutes)}`]
  parts.push(policy.waitTimerMinutes ? `a ${formatMinutes(policy.waitTimerMinutes)} wait timer after the last approval` : 'no wait timer')
  parts.push(policy.freezeWindows.length ? plural(policy.freezeWindows.length, 'freeze window') : 'no freeze windows')
  return `${TIER_LABELS[tier]}: ${parts.join(', ')}`
}

/** The toast after an approval: "Approved: deployment #5 is queued", "Approved: 1 of 2 approvals". */
export function afterApprovalWords(number: number, approval: string, queued: boolean): string {
  if (queued) return `Approved: deployment #${number} is queued`
  const gate = gateProgress(approval)
  if (gate.state === 'pending') return `Approved: ${gate.words}`
  return `Approved: deployment #${number} ${gate.words.replace(/^approved; /, '').replace(/^approved, but /, 'waits: ')}`
}
