// OpenTelemetry traces over OTLP/HTTP (JSON), on only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
// Domain code uses @opentelemetry/api alone (a no-op without a provider); the SDK and the
// exporter are imported lazily by startTracing, so a process with tracing off never loads them.
import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api'

export const TRACER_NAME = 'traider-control'

export type TracingHandle = { enabled: boolean; flush(): Promise<void>; shutdown(): Promise<void> }

const OFF: TracingHandle = { enabled: false, flush: async () => {}, shutdown: async () => {} }
const globalForTracing = globalThis as unknown as { traiderTracing?: Promise<TracingHandle> }

/** Starts the SDK for this process once (later calls return the same handle). `endpoint` undefined → off. */
export function startTracing(options: { serviceName: string; endpoint: string | undefined; batch?: boolean }): Promise<TracingHandle> {
  if (!options.endpoint) return Promise.resolve(OFF)
  globalForTracing.traiderTracing ??= loadSdk(options.serviceName, options.endpoint, options.batch ?? true)
  return globalForTracing.traiderTracing
}

async function loadSdk(serviceName: string, endpoint: string, batch: boolean): Promise<TracingHandle> {
  const [{ BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor }, { OTLPTraceExporter }, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
  ])
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` })
  const processor = batch ? new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 }) : new SimpleSpanProcessor(exporter)
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': serviceName }), spanProcessors: [processor] })
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  trace.setGlobalTracerProvider(provider)
  return {
    enabled: true,
    flush: () => provider.forceFlush(),
    async shutdown() {
      await provider.shutdown()
      trace.disable()
      propagation.disable()
      context.disable()
      globalForTracing.traiderTracing = undefined
    },
  }
}

export function tracer() {
  return trace.getTracer(TRACER_NAME)
}

/** Runs `work` in a child span of the active context; records an exception and ERROR status when it throws. */
export async function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>, parent: Context = context.active()): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, parent, async (span) => {
    try {
      return await work(span)
    } catch (error) {
      span.recordException(error as Error)
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message })
      throw error
    } finally {
      span.end()
    }
  })
}

/** The W3C traceparent of the active span, for a job payload; undefined when tracing is off. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {}
  propagation.inject(context.active(), carrier)
  return carrier.traceparent
}

/** The context a job's traceparent names (the request that queued it). */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (!traceparent) return ROOT_CONTEXT
  return propagation.extract(ROOT_CONTEXT, { traceparent })
}
