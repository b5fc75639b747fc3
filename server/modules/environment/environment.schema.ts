// Input and output shapes for environments: the same zod schemas validate tRPC input,
// the (later) REST API, and describe the OpenAPI document.
import { z } from 'zod'

export const TIERS = ['DEVELOPMENT', 'STAGING', 'PRODUCTION'] as const
export const tierSchema = z.enum(TIERS, { error: 'Choose a tier: development, staging or production.' })

export const slugSchema = z
  .string()
  .trim()
  .min(2, 'The slug needs at least 2 characters.')
  .max(40, 'The slug may have at most 40 characters.')
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'Use lowercase letters, digits and dashes only, starting and ending with a letter or digit (e.g. "prod-eu").')

const dockerEndpointSchema = z
  .string()
  .trim()
  .min(1, 'Give the Docker endpoint, e.g. unix:///var/run/docker.sock or tcp://10.0.0.5:2376.')
  .max(300)
  .superRefine((value, ctx) => {
    if (value.startsWith('unix://')) {
      if (!value.slice('unix://'.length).startsWith('/')) {
        ctx.addIssue({ code: 'custom', message: 'A unix endpoint needs an absolute socket path, e.g. unix:///var/run/docker.sock.' })
      }
      return
    }
    if (value.startsWith('tcp://')) {
      let url: URL
      try {
        url = new URL(value.replace(/^tcp:/, 'http:'))
      } catch {
        ctx.addIssue({ code: 'custom', message: 'A tcp endpoint looks like tcp://host:2376.' })
        return
      }
      if (!url.port) ctx.addIssue({ code: 'custom', message: 'Add the port to the tcp endpoint, e.g. tcp://10.0.0.5:2376.' })
      if (url.pathname !== '/' || url.search || url.username) {
        ctx.addIssue({ code: 'custom', message: 'A tcp endpoint is only host and port, e.g. tcp://10.0.0.5:2376.' })
      }
      return
    }
    ctx.addIssue({ code: 'custom', message: 'The Docker endpoint must start with unix:// (local socket) or tcp:// (remote engine).' })
  })

const tlsPathSchema = z
  .string()
  .trim()
  .max(300)
  .refine((p) => p === '' || p.startsWith('/'), 'The TLS directory must be an absolute path on the worker host, e.g. /etc/traider/docker-tls/prod.')
  .transform((p) => (p === '' ? null : p))
  .nullable()
  .optional()

const environmentFields = {
  name: z.string().trim().min(1, 'Give the environment a name.').max(64, 'The name may have at most 64 characters.'),
  slug: slugSchema,
  tier: tierSchema,
  description: z.string().trim().max(500, 'The description may have at most 500 characters.').default(''),
  dockerEndpoint: dockerEndpointSchema,
  dockerTlsPath: tlsPathSchema,
}

function tlsOnlyWithTcp(value: { dockerEndpoint?: string; dockerTlsPath?: string | null }, ctx: z.RefinementCtx) {
  if (value.dockerTlsPath && value.dockerEndpoint?.startsWith('unix://')) {
    ctx.addIssue({ code: 'custom', path: ['dockerTlsPath'], message: 'TLS certificates apply to tcp:// endpoints only: clear this field or use a tcp:// endpoint.' })
  }
}

export const createEnvironmentInput = z.object(environmentFields).superRefine(tlsOnlyWithTcp)
export type CreateEnvironmentInput = z.input<typeof createEnvironmentInput>

export const updateEnvironmentInput = z
  .object({ id: z.string().min(1), ...environmentFields })
  .partial({ name: true, slug: true, tier: true, description: true, dockerEndpoint: true, dockerTlsPath: true })
  .superRefine(tlsOnlyWithTcp)
export type UpdateEnvironmentInput = z.input<typeof updateEnvironmentInput>

export const environmentIdInput = z.object({ id: z.string().min(1, 'Environment id is required.') })
export const environmentSlugInput = z.object({ slug: z.string().min(1, 'Environment slug is required.') })

export const environmentCheckOutput = z.object({
  id: z.string(),
  status: z.enum(['QUEUED', 'OK', 'ERROR']),
  requestedAt: z.date(),
  checkedAt: z.date().nullable(),
  durationMs: z.number().nullable(),
  dockerVersion: z.string().nullable(),
  apiVersion: z.string().nullable(),
  os: z.string().nullable(),
  cpus: z.number().nullable(),
  memoryBytes: z.bigint().nullable(),
  containersRunning: z.number().nullable(),
  containersTotal: z.number().nullable(),
  error: z.string().nullable(),
})

export const environmentOutput = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  tier: tierSchema,
  description: z.string(),
  dockerEndpoint: z.string(),
  dockerTlsPath: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  lastCheck: environmentCheckOutput.nullable(),
})
export type EnvironmentView = z.infer<typeof environmentOutput>

export const environmentListItemOutput = environmentOutput.extend({
  lastDeployment: z
    .object({
      id: z.string(),
      number: z.number(),
      status: z.string(),
      kind: z.string(),
      requestedAt: z.date(),
      finishedAt: z.date().nullable(),
      releaseNumber: z.number(),
    })
    .nullable(),
  currentRelease: z.object({ releaseNumber: z.number(), since: z.date().nullable() }).nullable(),
})

export const environmentDetailOutput = environmentOutput.extend({
  recentChecks: z.array(environmentCheckOutput),
})
