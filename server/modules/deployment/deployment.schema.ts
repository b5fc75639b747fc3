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
  emergency: z.boolean().default(false),
  reason: z.string().trim().max(500).optional(),
  bakeSeconds: z.number().int().min(0).max(3600).optional(),
})

export const deploymentIdInput = z.object({ deploymentId: z.string().min(1) })

export const saveStackInput = z.object({
  environmentId: z.string().min(1),
  composeYaml: z.string().min(1, 'Paste a compose file.').max(512 * 1024, 'The compose file may be at most 512 KB.'),
  source: z.enum(['pasted', 'uploaded']).or(z.string().regex(/^template:[a-z0-9-]+$/)).default('pasted'),
  note: z.string().trim().max(200).optional(),
})
