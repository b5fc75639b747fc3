// What the Audit page, its API and the export accept and return: filters (the same for the
// list and the export), the cursor page, one event, and a verification's result.
import { z } from 'zod'

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number]

export const AUDIT_PAGE_MAX = 200
export const EXPORT_FORMATS = ['ndjson', 'csv'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** An empty text box or query parameter means "no filter", not "match the empty string". */
const optionalText = (max: number, what: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string().trim().max(max, `${what} is at most ${max} characters.`).optional(),
  )

const optionalDate = (name: 'from' | 'to') =>
  z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.coerce
      .date({ error: `"${name}" is not a date: use an ISO 8601 time such as 2026-11-26T14:00:00Z.` })
      .optional(),
  )

export const auditFiltersSchema = z
  .object({
    /** A substring of the actor's label (an e-mail for people, case-insensitive) or an exact actor id. */
    actor: optionalText(200, 'The actor filter'),
    /** An exact action (`deployment.request`), or a prefix ending in "." or ".*" (`deployment.`). */
    action: optionalText(100, 'The action filter'),
    environmentId: optionalText(64, 'The environment id'),
    outcome: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.enum(AUDIT_OUTCOMES, { error: `Outcome is one of ${AUDIT_OUTCOMES.join(', ')}.` }).optional(),
    ),
    /** Inclusive bounds on the event time. */
    from: optionalDate('from'),
    to: optionalDate('to'),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: '"from" is after "to": swap them or widen the range.', path: ['to'] })

export type AuditFilters = z.infer<typeof auditFiltersSchema>

export const listAuditEventsInput = z.object({
  filters: auditFiltersSchema.default({}),
  /** The id of the last event already shown: the next page starts below it (newest first). */
  cursor: z.bigint().positive().nullish(),
  limit: z.number().int().min(1).max(AUDIT_PAGE_MAX, `At most ${AUDIT_PAGE_MAX} events per page.`).default(50),
})
export type ListAuditEventsInput = z.infer<typeof listAuditEventsInput>

export const auditEventOutput = z.object({
  id: z.bigint(),
  at: z.date(),
  actorType: z.enum(['USER', 'TOKEN', 'SYSTEM', 'ANONYMOUS']),
  actorId: z.string().nullable(),
  actorLabel: z.string(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  environmentId: z.string().nullable(),
  environment: z.object({ name: z.string(), slug: z.string(), tier: z.enum(['DEVELOPMENT', 'STAGING', 'PRODUCTION']) }).nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  outcome: z.string(),
  summary: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
})
export type AuditEventView = z.infer<typeof auditEventOutput>

export const auditPageOutput = z.object({ items: z.array(auditEventOutput), nextCursor: z.bigint().nullable() })

export const chainReportOutput = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), checked: z.number().int(), durationMs: z.number() }),
  z.object({ ok: z.literal(false), checked: z.number().int(), durationMs: z.number(), brokenAt: z.string(), reason: z.string() }),
])

/** The latest `audit.verify` event, as the banner and the Audit page show it. */
export const lastVerificationOutput = z
  .object({
    id: z.bigint(),
    at: z.date(),
    ok: z.boolean(),
    checked: z.number().int().nullable(),
    brokenAt: z.string().nullable(),
    reason: z.string().nullable(),
    by: z.string(),
  })
  .nullable()
export type LastVerification = z.infer<typeof lastVerificationOutput>
