// Prometheus exposition of the web process: request metrics plus the control plane's state
// gauges. Protected by METRICS_TOKEN / METRICS_ALLOWED_CIDRS (loopback only when neither is set).
import { clientIp } from '@/server/auth/client-ip'
import { withHttpMetrics } from '@/server/modules/observability/metrics'
import { metricsAccessFromEnv, webMetricsRegistry } from '@/server/modules/observability/web-metrics'

export const dynamic = 'force-dynamic'

export function GET(request: Request) {
  return withHttpMetrics('/api/metrics', request, async () => {
    const decision = metricsAccessFromEnv()({ authorization: request.headers.get('authorization'), ip: clientIp(request.headers) })
    if (!decision.ok) {
      return Response.json({ title: decision.status === 401 ? 'Unauthorized' : 'Forbidden', status: decision.status, detail: decision.message }, { status: decision.status, headers: { 'www-authenticate': 'Bearer realm="metrics"' } })
    }
    const registry = webMetricsRegistry()
    return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } })
  })
}
