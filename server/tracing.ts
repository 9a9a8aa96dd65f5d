import { context, propagation, trace, type TextMapPropagator, type Tracer } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import pkg from '../package.json' with { type: 'json' };

/**
 * Tracing: OpenTelemetry spans along an event's road, one trace per event across web and worker
 * processes and across retries (docs/operations.md, "Tracing"):
 *
 *   hookrelay.publish     the request's `traceparent` as parent (or a new trace); its own context is
 *                         stored in `events.trace_parent`, where later hops in any process find it
 *   hookrelay.fanout      child of publish (inline, or the worker's fan-out job via trace_parent)
 *   hookrelay.admission   one per delivery admitted into its window: child of the fan-out or the
 *                         replay that admitted it, else of publish (dispatcher, retries); its
 *                         context rides in the `deliver` job
 *   hookrelay.attempt     child of its admission (from the job): HTTP status, latency, attempt
 *                         number, outcome; its `traceparent` goes to receivers that opted in
 *   hookrelay.replay      child of publish, one per replayed delivery (single or bulk)
 *
 * Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set (server/runtime.ts starts it): no SDK is loaded or
 * started, and every function here and in tracing-context.ts and tracing-spans.ts returns at once,
 * `undefined` where a span would be. Call sites build attributes only inside these functions, so the
 * disabled path allocates nothing per attempt. This file starts and stops the SDK.
 */

type State = {
  tracer: Tracer;
  propagator: TextMapPropagator;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
};

/** On globalThis: Next.js may load this module once per route bundle; the tracer is per process. */
const holder = globalThis as unknown as { __hookrelayTracing?: State };

/** The process's tracer and propagator, or undefined when tracing is off (tracing-context.ts, tracing-spans.ts). */
export function tracingState(): State | undefined {
  return holder.__hookrelayTracing;
}

/** Whether this process traces. A property read: cheap enough for every hot path. */
export function tracingOn(): boolean {
  return holder.__hookrelayTracing !== undefined;
}

export type TracingOptions = {
  serviceName: string;
  /** OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); spans go to `<endpoint>/v1/traces`. */
  endpoint?: string | undefined;
  /** Instead of the OTLP exporter (tests: a SimpleSpanProcessor over an InMemorySpanExporter). */
  spanProcessor?: SpanProcessor;
};

/** The OTLP/HTTP traces URL for an OTEL_EXPORTER_OTLP_ENDPOINT (the spec appends `v1/traces`). */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Starts the SDK for this process: a tracer provider with a BatchSpanProcessor over the OTLP/HTTP
 * exporter, the AsyncLocalStorage context manager and the W3C trace-context propagator, registered
 * globally. The SDK packages are imported here, so a process that never traces never loads them.
 * Returns false when tracing is already on (one provider per process).
 */
export async function startTracing(opts: TracingOptions): Promise<boolean> {
  if (holder.__hookrelayTracing) return false;
  if (!opts.spanProcessor && !opts.endpoint)
    throw new Error('startTracing: an endpoint or a span processor is required');
  const [
    { TracerProvider, BatchSpanProcessor },
    { AsyncLocalStorageContextManager },
    { W3CTraceContextPropagator },
    { resourceFromAttributes },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
  ]);
  let processor = opts.spanProcessor;
  if (!processor) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processor = new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: tracesUrl(opts.endpoint!) }) });
  }
  if (holder.__hookrelayTracing) return false; // started meanwhile
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': opts.serviceName,
      'service.version': pkg.version,
      'process.pid': process.pid,
    }),
    spanProcessors: [processor],
  });
  const propagator = new W3CTraceContextPropagator();
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(propagator);
  holder.__hookrelayTracing = {
    tracer: provider.getTracer('hookrelay', pkg.version),
    propagator,
    flush: () => provider.forceFlush(),
    async shutdown() {
      trace.disable();
      propagation.disable();
      context.disable();
      await provider.shutdown();
    },
  };
  return true;
}

/** Exports what is buffered and stops the SDK (SIGTERM drain); a no-op when tracing is off. */
export async function stopTracing(): Promise<void> {
  const s = holder.__hookrelayTracing;
  if (!s) return;
  holder.__hookrelayTracing = undefined;
  await s.shutdown();
}

/**
 * The web process's drain: `next start` closes its server on SIGTERM (waiting for requests in
 * flight) and then calls process.exit at once, which would drop the spans still buffered. Once a
 * stop signal has arrived, exiting first flushes and stops the SDK (within `timeoutMs`).
 */
export function flushBeforeExit(timeoutMs = 3000): void {
  let armed = false;
  const arm = (signal: NodeJS.Signals) => {
    if (armed) return;
    armed = true;
    process.off('SIGTERM', arm);
    process.off('SIGINT', arm);
    // Spans ended before the signal go out now; the rest at exit.
    void holder.__hookrelayTracing?.flush().catch(() => {});
    const exit = process.exit.bind(process);
    process.exit = ((code?: number | string | null) => {
      const done = () => exit(code);
      void Promise.race([stopTracing().catch(() => {}), new Promise((r) => setTimeout(r, timeoutMs).unref())]).then(
        done,
        done,
      );
    }) as typeof process.exit;
    // A listener of ours must not keep alive a process that would have died of the signal (no
    // handler of its own, e.g. a CLI command): exit as the signal would have, spans flushed.
    if (process.listenerCount(signal) === 0) process.exit(signal === 'SIGTERM' ? 143 : 130);
  };
  process.on('SIGTERM', arm);
  process.on('SIGINT', arm);
}
