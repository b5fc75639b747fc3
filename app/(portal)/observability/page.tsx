// Observability: per environment, its Grafana dashboards (listed through Grafana's API) and
// Jaeger search embedded through the portal's authenticated proxy, beside native PromQL charts.
import type { Metadata } from 'next'
import { PageHeader } from '@/components/page-header'
import { ObservabilityView } from './_components/observability-view'

export const metadata: Metadata = { title: 'Observability' }

export default async function ObservabilityPage({ searchParams }: { searchParams: Promise<{ env?: string }> }) {
  const { env } = await searchParams
  return (
    <div className="grid grid-cols-1 gap-6">
      <PageHeader title="Observability" description="Dashboards, traces and metrics of each environment, without leaving the portal or signing in twice." />
      <ObservabilityView initialSlug={env ?? null} />
    </div>
  )
}
