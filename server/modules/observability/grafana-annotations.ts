// Deployment start/end as Grafana annotations, tagged so a dashboard can show them
// (`traider-deployment` and the environment's slug).
import type { Db } from '@/server/db'
import { postGrafanaAnnotation } from '@/server/infra/grafana'
import type { GrafanaCredentials } from './grafana-credentials'
import type { DeploymentAnnotator } from './observed-deployment'

export function grafanaDeploymentAnnotator(deps: { db: Db; credentials: GrafanaCredentials }): DeploymentAnnotator {
  return async (a) => {
    const settings = await deps.db.environmentObservability.findUnique({ where: { environmentId: a.environmentId } })
    if (!settings?.grafanaUrl) return
    const token = await deps.credentials(a.environmentId, settings.grafanaTokenSecret)
    if (!token) throw new Error(`secret "${settings.grafanaTokenSecret}" is missing from the environment's secret store`)
    const what = a.kind === 'DEPLOY' ? 'Deployment' : a.kind === 'ROLLBACK' ? 'Rollback' : 'Emergency rollback'
    await postGrafanaAnnotation(settings.grafanaUrl, token, {
      time: a.at.getTime(),
      tags: ['traider-deployment', a.environment, a.phase === 'start' ? 'started' : a.status],
      text: `${what} #${a.number} ${a.phase === 'start' ? 'started' : a.status} on ${a.environment}${a.traceId ? ` (trace ${a.traceId})` : ''}`,
    })
  }
}
