'use client'
// "This deployment in Grafana" (its time range, the environment variable set) and "this trace
// in Jaeger", through the portal's proxy; shown only where the environment has them set up.
import { useQuery } from '@tanstack/react-query'
import { Activity, Waypoints } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { useTRPC } from '@/lib/trpc'

export function ObservabilityLinks({ deploymentId }: { deploymentId: string }) {
  const trpc = useTRPC()
  const links = useQuery(trpc.observability.deploymentLinks.queryOptions({ deploymentId }))
  if (!links.data || (!links.data.grafana && !links.data.jaeger)) return null
  return (
    <div className="flex flex-wrap gap-2" data-testid="observability-links">
      {links.data.grafana && (
        <Button asChild variant="outline" size="sm">
          <a href={links.data.grafana} target="_blank" rel="noreferrer">
            <Activity aria-hidden />
            This deployment in Grafana
          </a>
        </Button>
      )}
      {links.data.jaeger && (
        <Button asChild variant="outline" size="sm">
          <a href={links.data.jaeger} target="_blank" rel="noreferrer">
            <Waypoints aria-hidden />
            This trace in Jaeger
          </a>
        </Button>
      )}
    </div>
  )
}
