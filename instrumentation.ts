// Next.js start-up hook: in the Node.js server, starts OpenTelemetry tracing when
// OTEL_EXPORTER_OTLP_ENDPOINT is set (server/env.ts); otherwise the SDK is never loaded.
export async function register() {
  // NEXT_RUNTIME is Next's own build-time constant, not configuration: it drops this code from the edge bundle.
  // eslint-disable-next-line no-restricted-syntax
  if (process.env.NEXT_RUNTIME !== 'nodejs') return
  const { env } = await import('./server/env')
  const endpoint = env().OTEL_EXPORTER_OTLP_ENDPOINT
  if (!endpoint) return
  const { startTracing } = await import('./server/modules/observability/tracing')
  await startTracing({ serviceName: 'traider-control-web', endpoint })
}
