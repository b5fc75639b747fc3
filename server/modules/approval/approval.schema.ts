// Inputs for approving, rejecting and editing an environment's approval policy.
import { z } from 'zod'
import { ROLES } from '@/server/auth/permissions'

export const approveInput = z.object({
  deploymentId: z.string().min(1),
  comment: z.string().trim().max(1000).default(''),
  // The approver's current TOTP code, when the environment's policy requires two-factor.
  totpCode: z.string().trim().max(20).optional(),
})

export const rejectInput = z.object({
  deploymentId: z.string().min(1),
  comment: z.string().trim().min(3, 'Say why you reject it (at least 3 characters): the requester reads this.').max(1000),
})

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use HH:MM, e.g. 18:30.')
const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}, 'Unknown time zone: use an IANA name such as Europe/London or America/New_York.')

export const freezeWindowSchema = z.object({
  days: z.array(z.number().int().min(0).max(6)).min(1, 'Pick at least one day.'),
  start: hhmm,
  end: hhmm,
  timeZone,
  label: z.string().trim().max(80).optional(),
})

export const approvalPolicyInput = z.object({
  environmentId: z.string().min(1),
  requiredApprovals: z.number().int().min(0, 'Required approvals cannot be negative.').max(10, 'At most 10 approvals.'),
  eligibleRoles: z.array(z.enum(ROLES)).min(1, 'At least one role must be able to approve.').refine((roles) => !roles.includes('VIEWER'), 'Viewers cannot approve.'),
  approvalTtlMinutes: z.number().int().min(5).max(7 * 24 * 60, 'Approvals can last at most 7 days.'),
  requireTotp: z.boolean(),
  waitTimerMinutes: z.number().int().min(0).max(24 * 60),
  freezeWindows: z.array(freezeWindowSchema).max(20),
})

/** One request in the approvals inbox (portal and REST API). */
export const pendingApprovalOutput = z.object({
  id: z.string(),
  number: z.number().int(),
  kind: z.enum(['DEPLOY', 'ROLLBACK', 'EMERGENCY_ROLLBACK']),
  reason: z.string().nullable(),
  requestedAt: z.date(),
  environment: z.object({ id: z.string(), name: z.string(), slug: z.string(), tier: z.enum(['DEVELOPMENT', 'STAGING', 'PRODUCTION']) }),
  release: z.object({ number: z.number().int(), planHash: z.string() }),
  requestedBy: z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
  diff: z.unknown(),
  /** In words, e.g. "1 of 2 approvals". */
  progress: z.string(),
  gate: z.object({ state: z.string(), counted: z.number().int(), needed: z.number().int() }),
  eligibleRoles: z.array(z.enum(ROLES)),
  /** The policy asks each approver for a current two-factor (TOTP) code. */
  requireTotp: z.boolean(),
  /** True when the caller requested it (they cannot approve it). */
  mine: z.boolean(),
  decisions: z.array(z.object({ verdict: z.enum(['APPROVE', 'REJECT']), comment: z.string(), decidedAt: z.date(), approver: z.object({ name: z.string(), email: z.string() }), planHash: z.string() })),
})
