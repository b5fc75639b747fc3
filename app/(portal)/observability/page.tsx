// Observability: not built yet (arrives with the Grafana and Jaeger embeds).
import type { Metadata } from 'next'
import { Activity } from 'lucide-react'
import { NotBuiltPage } from '../_components/not-built'

export const metadata: Metadata = { title: 'Observability' }

export default function ObservabilityPage() {
  return (
    <NotBuiltPage
      title="Observability"
      description="Metrics and traces of the running trading stack."
      icon={Activity}
      willDo="Embed the Grafana dashboards and Jaeger traces of each environment next to the deployments that explain them."
    />
  )
}
