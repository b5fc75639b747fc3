'use client'
// One environment at a time: native charts from its Prometheus, its Grafana dashboards (pick
// one, it is embedded in kiosk mode), and Jaeger's search — both framed from the portal's own
// origin through /api/observability/…, which adds Grafana's token on the server.
import { useQuery } from '@tanstack/react-query'
import { Activity, LayoutDashboard, Waypoints } from 'lucide-react'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { EmptyState } from '@/components/empty-state'
import { LoadError } from '@/components/load-error'
import { TierBadge, type Tier } from '@/components/tier-badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Skeleton } from '@/components/ui/skeleton'
import { useTRPC } from '@/lib/trpc'
import { ChartPanel } from '../../environments/[slug]/_components/metrics-card'

type EnvironmentRow = { id: string; name: string; slug: string; tier: string; prometheusUrl: string | null; grafanaUrl: string | null; jaegerUrl: string | null; gates: number }

export function ObservabilityView({ initialSlug }: { initialSlug: string | null }) {
  const trpc = useTRPC()
  const router = useRouter()
  const overview = useQuery(trpc.observability.overview.queryOptions())
  const [chosen, setChosen] = useState<string | null>(initialSlug)

  if (overview.isPending) return <Skeleton className="h-96 w-full rounded-xl" />
  if (overview.isError) return <LoadError what="the environments" error={overview.error} onRetry={() => overview.refetch()} />
  if (overview.data.length === 0) return <EmptyState icon={Activity} title="No environments yet" description="Add an environment first; then set its Prometheus, Grafana and Jaeger in its Metrics settings." />

  const configured = (e: EnvironmentRow) => !!(e.prometheusUrl || e.grafanaUrl || e.jaegerUrl)
  const env = overview.data.find((e) => e.slug === chosen) ?? overview.data.find(configured) ?? overview.data[0]

  return (
    <div className="grid grid-cols-1 gap-6">
      <div className="flex flex-wrap items-center gap-3">
        <Select
          value={env.slug}
          onValueChange={(slug) => {
            setChosen(slug)
            router.replace(`/observability?env=${encodeURIComponent(slug)}`)
          }}
        >
          <SelectTrigger className="w-72" aria-label="Environment">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {overview.data.map((e) => (
              <SelectItem key={e.slug} value={e.slug}>
                {e.name}
                {e.tier === 'PRODUCTION' ? ' · production' : ''}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <TierBadge tier={env.tier as Tier} />
      </div>

      {!configured(env) && (
        <EmptyState icon={Activity} title={`${env.name} has no Prometheus, Grafana or Jaeger set`} description="An administrator sets them on the environment page (Metrics → Settings).">
          <Button asChild variant="outline" size="sm">
            <a href={`/environments/${encodeURIComponent(env.slug)}`}>Open {env.name}</a>
          </Button>
        </EmptyState>
      )}

      {env.prometheusUrl && (
        <Card className="gap-4">
          <CardHeader>
            <CardTitle>Metrics</CardTitle>
            <CardDescription>PromQL over the last hour, from {env.prometheusUrl}. All charts are on the environment page.</CardDescription>
          </CardHeader>
          <CardContent className="grid grid-cols-1 gap-4 md:grid-cols-3">
            {(['request-rate', 'p95-latency', 'error-rate'] as const).map((chart) => (
              <ChartPanel key={chart} environmentId={env.id} chart={chart} minutes={60} />
            ))}
          </CardContent>
        </Card>
      )}

      {env.grafanaUrl && <GrafanaSection environment={env} />}

      {env.jaegerUrl && (
        <Card className="gap-4">
          <CardHeader>
            <CardTitle className="flex items-center gap-2">
              <Waypoints aria-hidden className="size-4" />
              Traces
            </CardTitle>
            <CardDescription>Jaeger search for the control plane&apos;s deployments: each deployment is one trace.</CardDescription>
          </CardHeader>
          <CardContent>
            <iframe
              title={`Jaeger search for ${env.name}`}
              src={`/api/observability/jaeger/${encodeURIComponent(env.slug)}/search?service=traider-control-worker`}
              className="h-[32rem] w-full rounded-md border bg-background"
              data-testid="jaeger-frame"
            />
          </CardContent>
        </Card>
      )}
    </div>
  )
}

function GrafanaSection({ environment }: { environment: EnvironmentRow }) {
  const trpc = useTRPC()
  const dashboards = useQuery(trpc.observability.dashboards.queryOptions({ environmentId: environment.id }))
  const [uid, setUid] = useState<string | null>(null)
  const list = dashboards.data?.dashboards ?? []
  const current = list.find((d) => d.uid === uid) ?? list[0]

  return (
    <Card className="gap-4">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <LayoutDashboard aria-hidden className="size-4" />
          Grafana dashboards
        </CardTitle>
        <CardDescription>Listed by Grafana for this environment&apos;s service account; the token stays on the server.</CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        {dashboards.isPending && <Skeleton className="h-64 w-full" />}
        {dashboards.isError && <LoadError what="the Grafana dashboards" error={dashboards.error} onRetry={() => dashboards.refetch()} />}
        {dashboards.data?.error && <p className="text-sm text-destructive">{dashboards.data.error}</p>}
        {dashboards.data && !dashboards.data.error && list.length === 0 && <p className="text-sm text-muted-foreground">Grafana lists no dashboards for this service account.</p>}
        {list.length > 0 && current && (
          <>
            <div role="tablist" aria-label="Dashboards" className="flex flex-wrap gap-2">
              {list.map((d) => (
                <Button key={d.uid} role="tab" aria-selected={d.uid === current.uid} size="sm" variant={d.uid === current.uid ? 'secondary' : 'outline'} onClick={() => setUid(d.uid)}>
                  {d.folder ? <span className="text-muted-foreground">{d.folder} /</span> : null}
                  {d.title}
                </Button>
              ))}
            </div>
            <iframe
              key={current.uid}
              title={`Grafana dashboard ${current.title}`}
              src={`/api/observability/grafana/${encodeURIComponent(environment.slug)}/d/${encodeURIComponent(current.uid)}?${new URLSearchParams({ orgId: '1', kiosk: '', 'var-environment': environment.slug })}`}
              className="h-[36rem] w-full rounded-md border bg-background"
              data-testid="grafana-frame"
            />
          </>
        )}
      </CardContent>
    </Card>
  )
}
