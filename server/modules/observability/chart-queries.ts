// The environment page's charts as PromQL: the stack's request, latency and error panels,
// container CPU/memory (cAdvisor), and the trading metrics named in the old infrastructure
// report (traider_api_requests_total, traider_database_connections,
// traider_trading_signals_generated, traider_order_execution_latency, traider_risk_limit_breaches).
import type { ChartKind } from './observability.schema'

export type ChartUnit = 'per-second' | 'seconds' | 'ratio' | 'cores' | 'bytes' | 'count'
export type ChartDefinition = { title: string; unit: ChartUnit; query: string; seriesLabel?: string }

export const CHARTS: Record<ChartKind, ChartDefinition> = {
  'request-rate': { title: 'Request rate', unit: 'per-second', query: 'sum(rate(traider_api_requests_total[5m]))' },
  'p95-latency': { title: 'API p95 latency', unit: 'seconds', query: 'histogram_quantile(0.95, sum by (le) (rate(traider_api_request_duration_seconds_bucket[5m])))' },
  'error-rate': { title: 'Error rate (5xx)', unit: 'ratio', query: 'sum(rate(traider_api_requests_total{status=~"5.."}[5m])) / sum(rate(traider_api_requests_total[5m]))' },
  'container-cpu': { title: 'Container CPU', unit: 'cores', query: 'sum by (name) (rate(container_cpu_usage_seconds_total{name!=""}[5m]))', seriesLabel: 'name' },
  'container-memory': { title: 'Container memory', unit: 'bytes', query: 'sum by (name) (container_memory_working_set_bytes{name!=""})', seriesLabel: 'name' },
  'api-requests': { title: 'API requests by endpoint', unit: 'per-second', query: 'sum by (endpoint) (rate(traider_api_requests_total[5m]))', seriesLabel: 'endpoint' },
  'database-connections': { title: 'Database connections', unit: 'count', query: 'sum(traider_database_connections)' },
  'trading-signals': { title: 'Trading signals generated', unit: 'per-second', query: 'sum(rate(traider_trading_signals_generated[5m]))' },
  'order-latency': { title: 'Order execution p95', unit: 'seconds', query: 'histogram_quantile(0.95, sum by (le) (rate(traider_order_execution_latency_bucket[5m])))' },
  'risk-breaches': { title: 'Risk limit breaches (1 h)', unit: 'count', query: 'sum(increase(traider_risk_limit_breaches[1h]))' },
}
