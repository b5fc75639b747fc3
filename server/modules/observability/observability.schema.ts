// Per-environment observability settings and PromQL deployment gates, validated at every boundary.
import { z } from 'zod'

export const GATE_COMPARATORS = ['<', '<=', '>', '>=', '==', '!='] as const

export const deploymentGate = z.object({
  name: z.string().trim().min(1, 'Give the gate a name, e.g. "error rate"').max(80),
  query: z.string().trim().min(1, 'Write a PromQL query that returns one number, e.g. sum(rate(errors_total[5m]))').max(2_000),
  comparator: z.enum(GATE_COMPARATORS),
  threshold: z.number().finite(),
})
export type DeploymentGate = z.infer<typeof deploymentGate>

const httpUrl = z
  .string()
  .trim()
  .url('Enter a full URL such as http://prometheus:9090')
  .refine((u) => /^https?:\/\//.test(u), 'Only http:// and https:// URLs are supported')
  .transform((u) => u.replace(/\/+$/, ''))

const optionalUrl = z.union([httpUrl, z.literal('').transform(() => null), z.null()])

export const observabilitySettingsInput = z.object({
  environmentId: z.string().min(1),
  prometheusUrl: optionalUrl,
  grafanaUrl: optionalUrl,
  grafanaTokenSecret: z.string().trim().regex(/^[a-zA-Z0-9._/-]{1,120}$/, 'A secret name uses letters, digits, ".", "_", "/" and "-"').default('grafana-service-account-token'),
  jaegerUrl: optionalUrl,
  gates: z.array(deploymentGate).max(20, 'At most 20 gates per environment'),
})
export type ObservabilitySettingsInput = z.input<typeof observabilitySettingsInput>

export const CHART_KINDS = ['request-rate', 'p95-latency', 'error-rate', 'container-cpu', 'container-memory', 'api-requests', 'database-connections', 'trading-signals', 'order-latency', 'risk-breaches'] as const
export type ChartKind = (typeof CHART_KINDS)[number]

export const chartQueryInput = z.object({
  environmentId: z.string().min(1),
  chart: z.enum(CHART_KINDS),
  minutes: z.number().int().min(5).max(24 * 60).default(60),
})
