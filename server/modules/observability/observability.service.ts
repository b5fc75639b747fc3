// Per-environment observability: settings (Prometheus, Grafana, Jaeger, gates), chart data
// from PromQL range queries (server-side: the browser never talks to Prometheus), and the
// Grafana dashboards an environment's token can see.
import type { z } from 'zod'
import type { Db } from '@/server/db'
import { DomainError, notFound } from '@/server/errors'
import { searchGrafanaDashboards, GrafanaError } from '@/server/infra/grafana'
import { promQueryRange, PrometheusError } from '@/server/infra/prometheus'
import { audit, type AuditActor } from '@/server/modules/audit/audit'
import { CHARTS } from './chart-queries'
import type { GrafanaCredentials } from './grafana-credentials'
import { deploymentGate, type chartQueryInput, type observabilitySettingsInput } from './observability.schema'

export const DEFAULT_GRAFANA_TOKEN_SECRET = 'grafana-service-account-token'

export async function getObservabilitySettings(deps: { db: Db }, environmentId: string) {
  const environment = await deps.db.environment.findUnique({ where: { id: environmentId }, select: { id: true }, })
  if (!environment) throw notFound('Environment')
  const row = await deps.db.environmentObservability.findUnique({ where: { environmentId } })
  const gates = deploymentGate.array().safeParse(row?.gates ?? [])
  return {
    environmentId,
    prometheusUrl: row?.prometheusUrl ?? null,
    grafanaUrl: row?.grafanaUrl ?? null,
    grafanaTokenSecret: row?.grafanaTokenSecret ?? DEFAULT_GRAFANA_TOKEN_SECRET,
    jaegerUrl: row?.jaegerUrl ?? null,
    gates: gates.success ? gates.data : [],
    updatedAt: row?.updatedAt ?? null,
  }
}

export async function updateObservabilitySettings(deps: { db: Db }, actor: AuditActor, input: z.output<typeof observabilitySettingsInput>) {
  const { environmentId, ...data } = input
  const environment = await deps.db.environment.findUnique({ where: { id: environmentId }, select: { id: true } })
  if (!environment) throw notFound('Environment')
  await deps.db.$transaction(async (tx) => {
    await tx.environmentObservability.upsert({ where: { environmentId }, create: { environmentId, ...data, updatedById: actor.id }, update: { ...data, updatedById: actor.id } })
    await audit(tx, actor, {
      action: 'environment.observability_updated',
      targetType: 'environment',
      targetId: environmentId,
      environmentId,
      // Names and URLs only; the Grafana token stays in the secret store.
      summary: { prometheusUrl: data.prometheusUrl, grafanaUrl: data.grafanaUrl, grafanaTokenSecret: data.grafanaTokenSecret, jaegerUrl: data.jaegerUrl, gates: data.gates.map((g) => g.name) },
    })
  })
  return getObservabilitySettings(deps, environmentId)
}

/** Every environment with what it has configured (the Observability page). */
export async function listObservabilityOverview(deps: { db: Db }) {
  const rows = await deps.db.environment.findMany({ orderBy: [{ tier: 'desc' }, { name: 'asc' }], select: { id: true, name: true, slug: true, tier: true, observability: true } })
  return rows.map((e) => ({
    id: e.id,
    name: e.name,
    slug: e.slug,
    tier: e.tier,
    prometheusUrl: e.observability?.prometheusUrl ?? null,
    grafanaUrl: e.observability?.grafanaUrl ?? null,
    jaegerUrl: e.observability?.jaegerUrl ?? null,
    gates: deploymentGate.array().safeParse(e.observability?.gates ?? []).data?.length ?? 0,
  }))
}

export async function queryChart(deps: { db: Db }, input: z.output<typeof chartQueryInput>, now = new Date()) {
  const settings = await getObservabilitySettings(deps, input.environmentId)
  const chart = CHARTS[input.chart]
  if (!settings.prometheusUrl) return { ...chart, configured: false as const, series: [], error: null }
  // About 120 points per chart, whatever the range. Whole seconds on the step grid, with the
  // last point at or just after now: the newest data is always drawn (fractional bounds could
  // drop the last point to rounding, leaving a chart one step stale).
  const stepSeconds = Math.max(15, Math.round((input.minutes * 60) / 120))
  const endSeconds = Math.ceil(now.getTime() / 1000 / stepSeconds) * stepSeconds
  const end = new Date(endSeconds * 1000)
  const start = new Date((endSeconds - input.minutes * 60) * 1000)
  try {
    const series = await promQueryRange(settings.prometheusUrl, chart.query, { start, end, stepSeconds })
    return {
      ...chart,
      configured: true as const,
      error: null,
      series: series.slice(0, 8).map((s) => ({ label: (chart.seriesLabel && s.labels[chart.seriesLabel]) || chart.title, points: s.points.filter(([, v]) => Number.isFinite(v)) })),
    }
  } catch (error) {
    if (error instanceof PrometheusError) return { ...chart, configured: true as const, series: [], error: error.message }
    throw error
  }
}

export async function listGrafanaDashboards(deps: { db: Db; credentials: GrafanaCredentials }, environmentId: string) {
  const settings = await getObservabilitySettings(deps, environmentId)
  if (!settings.grafanaUrl) return { configured: false as const, dashboards: [], error: null }
  const token = await deps.credentials(environmentId, settings.grafanaTokenSecret)
  if (!token) return { configured: true as const, dashboards: [], error: `The secret "${settings.grafanaTokenSecret}" is not in this environment's secret store: add Grafana's service-account token under that name (Secrets page).` }
  try {
    const dashboards = await searchGrafanaDashboards(settings.grafanaUrl, token)
    return { configured: true as const, error: null, dashboards: dashboards.map((d) => ({ uid: d.uid, title: d.title, folder: d.folderTitle ?? null, url: d.url })) }
  } catch (error) {
    if (error instanceof GrafanaError) return { configured: true as const, dashboards: [], error: error.message }
    throw error
  }
}

/** The environment a proxied request names, with its upstream base URL. */
export async function proxyTarget(deps: { db: Db }, slug: string, system: 'grafana' | 'jaeger') {
  const environment = await deps.db.environment.findUnique({ where: { slug }, select: { id: true, observability: true } })
  if (!environment) throw notFound('Environment')
  const base = system === 'grafana' ? environment.observability?.grafanaUrl : environment.observability?.jaegerUrl
  if (!base) throw new DomainError('PRECONDITION_FAILED', `This environment has no ${system === 'grafana' ? 'Grafana' : 'Jaeger'} URL: set one in its observability settings.`)
  return { environmentId: environment.id, base, tokenSecret: environment.observability?.grafanaTokenSecret ?? DEFAULT_GRAFANA_TOKEN_SECRET }
}

/** Provisioned in compose/traider/grafana: the dashboard a deployment link opens. */
export const TRADING_DASHBOARD_UID = 'traider-trading-ops'

/** "This deployment in Grafana" (its time range ± 5 min, environment variable set) and "this trace in Jaeger", through the proxy. */
export async function deploymentObservabilityLinks(deps: { db: Db }, deploymentId: string) {
  const d = await deps.db.deployment.findUnique({
    where: { id: deploymentId },
    select: { traceId: true, startedAt: true, finishedAt: true, requestedAt: true, environment: { select: { slug: true, observability: { select: { grafanaUrl: true, jaegerUrl: true } } } } },
  })
  if (!d) throw notFound('Deployment')
  const slug = d.environment.slug
  const from = (d.startedAt ?? d.requestedAt).getTime() - 5 * 60_000
  const to = d.finishedAt ? d.finishedAt.getTime() + 5 * 60_000 : 'now'
  const grafana = d.environment.observability?.grafanaUrl
    ? `/api/observability/grafana/${encodeURIComponent(slug)}/d/${TRADING_DASHBOARD_UID}?${new URLSearchParams({ from: String(from), to: String(to), 'var-environment': slug })}`
    : null
  const jaeger = d.environment.observability?.jaegerUrl && d.traceId ? `/api/observability/jaeger/${encodeURIComponent(slug)}/trace/${d.traceId}` : null
  return { grafana, jaeger, traceId: d.traceId }
}
