// Inputs of the deployment procedures (tRPC now, REST later: one source of truth).
import { z } from 'zod'

const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Variable names use letters, digits and "_", and do not start with a digit.')

export const releaseVariablesSchema = z
  .record(variableName, z.string().max(1000, 'A variable value may have at most 1000 characters.'))
  .default({})

export const planInput = z.object({
  environmentId: z.string().min(1),
  variables: releaseVariablesSchema,
})

export const requestDeploymentInput = planInput.extend({
  /** Seconds every new container must stay healthy before the deployment succeeds. */
  bakeSeconds: z.number().int().min(0, 'The bake window cannot be negative.').max(3600, 'Keep the bake window under an hour.').optional(),
  /** The plan hash the person confirmed: if the plan changed since, the request is refused. */
  expectedPlanHash: z.string().length(64).optional(),
})

export const rollbackInput = z.object({
  environmentId: z.string().min(1),
  /** Release to return to; default: the last successful release before the current one. */
  toReleaseId: z.string().min(1).optional(),
  /** Or the release's number on this environment (what the portal and the CLI show). */
  toReleaseNumber: z.number().int().positive().optional(),
  emergency: z.boolean().default(false),
  reason: z.string().trim().max(500).optional(),
  /** Default: the bake window the release had when it last succeeded on this environment. */
  bakeSeconds: z.number().int().min(0).max(3600).optional(),
  /**
   * Also restore the database, in place, to the verified pre-deploy backup taken just before
   * the target release was replaced. Needs backup:restore (a signed-in person); the restore
   * has its own approvals in production and runs only once the rollback has succeeded.
   */
  restoreDatabase: z.boolean().default(false),
})

export const deploymentIdInput = z.object({ deploymentId: z.string().min(1) })

export const saveStackInput = z.object({
  environmentId: z.string().min(1),
  composeYaml: z.string().min(1, 'Paste a compose file.').max(512 * 1024, 'The compose file may be at most 512 KB.'),
  source: z.enum(['pasted', 'uploaded']).or(z.string().regex(/^template:[a-z0-9-]+$/)).default('pasted'),
  note: z.string().trim().max(200).optional(),
})

export const DEPLOYMENT_STATUSES = ['REQUESTED', 'QUEUED', 'PREFLIGHT', 'BACKUP', 'ROLLING_OUT', 'VERIFYING', 'ROLLING_BACK', 'SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'CANCELLED', 'REJECTED'] as const
export const DEPLOYMENT_KINDS = ['DEPLOY', 'ROLLBACK', 'EMERGENCY_ROLLBACK'] as const
const tier = z.enum(['DEVELOPMENT', 'STAGING', 'PRODUCTION'])

export const emergencyRollbackInput = z.object({
  environmentId: z.string().min(1),
  reason: z.string().trim().min(5, 'Say in a few words what is wrong (at least 5 characters).').max(500),
})

export const listDeploymentsInput = z.object({
  environmentId: z.string().optional(),
  status: z.array(z.enum(DEPLOYMENT_STATUSES)).optional(),
  order: z.enum(['desc', 'asc']).default('desc'),
  /** The id of the last deployment already shown. */
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(100).default(25),
})

// ── Outputs (tRPC .output() and the REST API's OpenAPI document) ──────────────────────

export const deploymentCreatedOutput = z.object({
  id: z.string(),
  number: z.number().int(),
  releaseNumber: z.number().int(),
  /** In words: "approved", "0 of 2 approvals", "break-glass: starts without approvals", … */
  approval: z.string(),
  /** True when the deployment was queued at once; false while it waits for approvals. */
  queued: z.boolean(),
  /** The database restore requested with a rollback, if any (it runs after the rollback succeeds). */
  restore: z.object({ id: z.string(), status: z.enum(['QUEUED', 'WAITING_APPROVAL']), gate: z.string() }).optional(),
})

export const serviceChangeOutput = z.object({
  service: z.string(),
  action: z.enum(['create', 'replace', 'remove', 'unchanged']),
  detail: z.string(),
  fromImage: z.string().optional(),
  toImage: z.string().optional(),
})

export const planOutput = z.object({
  planHash: z.string(),
  stackVersion: z.number().int(),
  diff: z.array(serviceChangeOutput),
  services: z.array(z.object({ name: z.string(), image: z.string(), imageId: z.string(), limits: z.object({ nanoCpus: z.number().optional(), memoryBytes: z.number().optional() }) })),
})

const environmentRef = z.object({ id: z.string(), name: z.string(), slug: z.string(), tier })

export const deploymentListItemOutput = z.object({
  id: z.string(),
  number: z.number().int(),
  kind: z.enum(DEPLOYMENT_KINDS),
  status: z.enum(DEPLOYMENT_STATUSES),
  requestedAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  outcome: z.string().nullable(),
  reason: z.string().nullable(),
  environment: environmentRef,
  release: z.object({ id: z.string(), number: z.number().int() }),
})

export const deploymentPageOutput = z.object({ items: z.array(deploymentListItemOutput), nextCursor: z.string().nullable() })

/** One deployment as the REST API returns it (the portal's query carries more detail). */
export const deploymentDetailOutput = deploymentListItemOutput.extend({
  cancelRequestedAt: z.date().nullable(),
  bakeSeconds: z.number().int(),
  diff: z.array(serviceChangeOutput),
  requestedBy: z.object({ name: z.string(), email: z.string() }).nullable(),
  release: z.object({
    id: z.string(),
    number: z.number().int(),
    planHash: z.string(),
    variables: z.record(z.string(), z.string()),
    createdAt: z.date(),
    services: z.array(z.object({ name: z.string(), image: z.string(), imageId: z.string() })),
  }),
  steps: z.array(z.object({ name: z.string(), status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED']), startedAt: z.date(), finishedAt: z.date().nullable() })),
  services: z.array(z.object({ service: z.string(), action: z.string(), state: z.string() })),
})

export const cancelOutput = z.object({ cancelledImmediately: z.boolean() })
