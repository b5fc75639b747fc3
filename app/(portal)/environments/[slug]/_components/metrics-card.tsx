'use client'
// The environment's Prometheus, drawn: request rate, p95 latency, error rate, container CPU
// and memory, and the trading stack's own metrics; its deployment gates; for admins the
// settings. Queries run on the server (observability.chart); the browser never calls Prometheus.
import { useQuery } from '@tanstack/react-query'
import { Activity, Gauge, Settings2 } from 'lucide-react'
import { useState } from 'react'
import { EmptyState } from '@/components/empty-state'
import { LoadError } from '@/components/load-error'
import { PromChart } from '@/components/prom-chart'
import { Button } from '@/components/ui/button'
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { useTRPC } from '@/lib/trpc'
import { ObservabilitySettingsDialog } from './observability-settings-dialog'

export const CHART_ORDER = ['request-rate', 'p95-latency', 'error-rate', 'container-cpu', 'container-memory', 'api-requests', 'database-connections', 'trading-signals', 'order-latency', 'risk-breaches'] as const
type ChartKind = (typeof CHART_ORDER)[number]
const RANGES = [
  { minutes: 60, label: '1 h' },
  { minutes: 360, label: '6 h' },
  { minutes: 1440, label: '24 h' },
]
const REFRESH_MS = 30_000

export function MetricsCard({ environment, canManage }: { environment: { id: string; name: string }; canManage: boolean }) {
  const trpc = useTRPC()
  const [editing, setEditing] = useState(false)
  const [minutes, setMinutes] = useState(60)
  const settings = useQuery(trpc.observability.settings.queryOptions({ environmentId: environment.id }))
  const configured = !!settings.data?.prometheusUrl

  return (
    <Card className="gap-4" data-testid="metrics-card">
      <CardHeader>
        <CardTitle>Metrics</CardTitle>
        <CardDescription className="break-words">{configured ? `From ${settings.data?.prometheusUrl}, refreshed every 30 s.` : 'Charts from this environment’s Prometheus.'}</CardDescription>
        {canManage && settings.data && (
          <CardAction>
            <Button variant="outline" size="sm" onClick={() => setEditing(true)}>
              <Settings2 aria-hidden />
              Settings
            </Button>
          </CardAction>
        )}
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        {configured && (
          <div role="group" aria-label="Time range" className="flex w-fit rounded-md border">
            {RANGES.map((r) => (
              <Button key={r.minutes} type="button" size="sm" variant={minutes === r.minutes ? 'secondary' : 'ghost'} aria-pressed={minutes === r.minutes} onClick={() => setMinutes(r.minutes)}>
                {r.label}
              </Button>
            ))}
          </div>
        )}
        {settings.isPending && <Skeleton className="h-40 w-full" />}
        {settings.isError && <LoadError what="the observability settings" error={settings.error} onRetry={() => settings.refetch()} />}
        {settings.data && !configured && (
          <EmptyState icon={Activity} title="No Prometheus for this environment yet" description={canManage ? 'Set its Prometheus URL under Settings to draw charts and use deployment gates.' : 'An administrator can set its Prometheus URL to draw charts here.'} />
        )}
        {configured && (
          <div className="grid grid-cols-1 gap-4 md:grid-cols-2 xl:grid-cols-3">
            {CHART_ORDER.map((chart) => (
              <ChartPanel key={chart} environmentId={environment.id} chart={chart} minutes={minutes} />
            ))}
          </div>
        )}
        {settings.data && settings.data.gates.length > 0 && (
          <div className="grid gap-1.5" data-testid="gates">
            <h3 className="flex items-center gap-1.5 text-xs text-muted-foreground">
              <Gauge aria-hidden className="size-3.5" />
              Deployment gates, checked at the end of every bake window
            </h3>
            <ul className="grid gap-1 text-sm">
              {settings.data.gates.map((g) => (
                <li key={g.name} className="min-w-0 break-words">
                  <span className="font-medium">{g.name}</span>: <code className="font-mono text-xs">{g.query}</code> {g.comparator} {g.threshold}
                </li>
              ))}
            </ul>
          </div>
        )}
      </CardContent>
      {canManage && settings.data && <ObservabilitySettingsDialog open={editing} onOpenChange={setEditing} environmentName={environment.name} settings={settings.data} />}
    </Card>
  )
}

export function ChartPanel({ environmentId, chart, minutes }: { environmentId: string; chart: ChartKind; minutes: number }) {
  const trpc = useTRPC()
  const data = useQuery({ ...trpc.observability.chart.queryOptions({ environmentId, chart, minutes }), refetchInterval: REFRESH_MS })
  return (
    <section className="grid min-w-0 content-start gap-2 rounded-lg border p-3" data-testid={`chart-${chart}`}>
      <h3 className="text-sm font-medium">{data.data?.title ?? chart}</h3>
      {data.isPending && <Skeleton className="h-28 w-full" />}
      {data.isError && <p className="text-xs text-destructive">Could not load: {data.error.message}</p>}
      {data.data?.error && <p className="text-xs text-destructive">{data.data.error}</p>}
      {data.data && !data.data.error && data.data.series.length === 0 && <p className="py-8 text-center text-xs text-muted-foreground">No data in this range.</p>}
      {data.data && data.data.series.length > 0 && <PromChart series={data.data.series} unit={data.data.unit} title={data.data.title} />}
      {data.data && (
        <details className="text-xs text-muted-foreground">
          <summary className="cursor-pointer">PromQL</summary>
          <code className="block font-mono break-all">{data.data.query}</code>
        </details>
      )}
    </section>
  )
}
