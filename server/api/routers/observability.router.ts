// Observability: settings per environment (admins), PromQL charts and Grafana dashboards (anyone
// who can read environments). Prometheus and Grafana are queried here, server-side.
import { z } from 'zod'
import { permissionProcedure, router } from '@/server/api/trpc'
import { secretStoreGrafanaCredentials } from '@/server/modules/observability/grafana-credentials'
import { chartQueryInput, deploymentGate, observabilitySettingsInput } from '@/server/modules/observability/observability.schema'
import {
  deploymentObservabilityLinks,
  getObservabilitySettings,
  listGrafanaDashboards,
  listObservabilityOverview,
  queryChart,
  updateObservabilitySettings,
} from '@/server/modules/observability/observability.service'

const environmentIdInput = z.object({ environmentId: z.string().min(1) })

const settingsOutput = z.object({
  environmentId: z.string(),
  prometheusUrl: z.string().nullable(),
  grafanaUrl: z.string().nullable(),
  grafanaTokenSecret: z.string(),
  jaegerUrl: z.string().nullable(),
  gates: z.array(deploymentGate),
  updatedAt: z.date().nullable(),
})

const chartOutput = z.object({
  title: z.string(),
  unit: z.enum(['per-second', 'seconds', 'ratio', 'cores', 'bytes', 'count']),
  query: z.string(),
  configured: z.boolean(),
  error: z.string().nullable(),
  series: z.array(z.object({ label: z.string(), points: z.array(z.tuple([z.number(), z.number()])) })),
})

export const observabilityRouter = router({
  overview: permissionProcedure('env:read')
    .output(z.array(z.object({ id: z.string(), name: z.string(), slug: z.string(), tier: z.string(), prometheusUrl: z.string().nullable(), grafanaUrl: z.string().nullable(), jaegerUrl: z.string().nullable(), gates: z.number() })))
    .query(({ ctx }) => listObservabilityOverview(ctx.services)),

  settings: permissionProcedure('env:read')
    .input(environmentIdInput)
    .output(settingsOutput)
    .query(({ ctx, input }) => getObservabilitySettings(ctx.services, input.environmentId)),

  updateSettings: permissionProcedure('env:manage')
    .input(observabilitySettingsInput)
    .output(settingsOutput)
    .mutation(({ ctx, input }) => updateObservabilitySettings(ctx.services, ctx.actor, input)),

  chart: permissionProcedure('env:read')
    .input(chartQueryInput)
    .output(chartOutput)
    .query(({ ctx, input }) => queryChart(ctx.services, input)),

  dashboards: permissionProcedure('env:read')
    .input(environmentIdInput)
    .output(z.object({ configured: z.boolean(), error: z.string().nullable(), dashboards: z.array(z.object({ uid: z.string(), title: z.string(), folder: z.string().nullable(), url: z.string() })) }))
    .query(({ ctx, input }) => listGrafanaDashboards({ db: ctx.services.db, credentials: secretStoreGrafanaCredentials(ctx.services.db) }, input.environmentId)),

  deploymentLinks: permissionProcedure('deploy:read')
    .input(z.object({ deploymentId: z.string().min(1) }))
    .output(z.object({ grafana: z.string().nullable(), jaeger: z.string().nullable(), traceId: z.string().nullable() }))
    .query(({ ctx, input }) => deploymentObservabilityLinks(ctx.services, input.deploymentId)),
})
