// The web app's /api/metrics: the process registry with the state gauges attached once.
import { db } from '@/server/db'
import { env } from '@/server/env'
import { QUEUE_NAMES } from '@/server/infra/queues'
import { errorFields, logger } from '@/server/logger'
import { AUDIT_VERIFY_QUEUE } from '@/server/modules/audit/audit-verify-schedule'
import { controlMetrics } from './metrics'
import { metricsAccess } from './metrics-access'
import { registerStateMetrics } from './metrics-state'
import { controlPlaneStateSource } from './state-source'

const globalForWeb = globalThis as unknown as { traiderWebMetricsReady?: boolean; traiderMetricsAccess?: ReturnType<typeof metricsAccess> }

export function webMetricsRegistry() {
  const m = controlMetrics('web')
  if (!globalForWeb.traiderWebMetricsReady) {
    globalForWeb.traiderWebMetricsReady = true
    registerStateMetrics(m.registry, controlPlaneStateSource({ db: db(), queueNames: [...Object.values(QUEUE_NAMES), AUDIT_VERIFY_QUEUE] }), {
      onError: (error) => logger.warn('Could not refresh the metrics snapshot; the next scrape retries', { err: errorFields(error, { stack: false }) }),
    })
  }
  return m.registry
}

export function metricsAccessFromEnv() {
  globalForWeb.traiderMetricsAccess ??= metricsAccess({ token: env().METRICS_TOKEN, allowedCidrs: env().METRICS_ALLOWED_CIDRS })
  return globalForWeb.traiderMetricsAccess
}
