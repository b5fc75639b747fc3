// Grafana and Jaeger of an environment, under the portal's own origin:
// /api/observability/grafana/<env>/… and /api/observability/jaeger/<env>/…
import { getSessionUser } from '@/server/auth/session'
import { db } from '@/server/db'
import { withHttpMetrics } from '@/server/modules/observability/metrics'
import { secretStoreGrafanaCredentials } from '@/server/modules/observability/grafana-credentials'
import { proxyObservability } from '@/server/modules/observability/reverse-proxy'

export const dynamic = 'force-dynamic'

type Params = Promise<{ system: string; slug: string; path?: string[] }>

async function handler(request: Request, { params }: { params: Params }) {
  const { system, slug, path = [] } = await params
  return withHttpMetrics(`/api/observability/${system === 'grafana' ? 'grafana' : system === 'jaeger' ? 'jaeger' : 'other'}`, request, async () => {
    if (system !== 'grafana' && system !== 'jaeger') return Response.json({ status: 404, detail: 'Only grafana and jaeger are proxied.' }, { status: 404 })
    return proxyObservability({ db: db(), credentials: secretStoreGrafanaCredentials(db()), currentUser: () => getSessionUser() }, request, system, slug, path)
  })
}

export { handler as GET, handler as HEAD, handler as POST }
