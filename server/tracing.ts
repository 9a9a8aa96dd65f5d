import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
  type TextMapPropagator,
  type Tracer,
} from '@opentelemetry/api';
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
 * started, and every function here returns at once, `undefined` where a span would be. Call sites
 * build attributes only inside these functions, so the disabled path allocates nothing per attempt.
 */

type State = {
  tracer: Tracer;
  propagator: TextMapPropagator;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
};

/** On globalThis: Next.js may load this module once per route bundle; the tracer is per process. */
const holder = globalThis as unknown as { __hookrelayTracing?: State };

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
  if (!opts.spanProcessor && !opts.endpoint) throw new Error('startTracing: an endpoint or a span processor is required');
  const [{ TracerProvider, BatchSpanProcessor }, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { resourceFromAttributes }] =
    await Promise.all([
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
    resource: resourceFromAttributes({ 'service.name': opts.serviceName, 'service.version': pkg.version, 'process.pid': process.pid }),
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
      void Promise.race([stopTracing().catch(() => {}), new Promise((r) => setTimeout(r, timeoutMs).unref())]).then(done, done);
    }) as typeof process.exit;
    // A listener of ours must not keep alive a process that would have died of the signal (no
    // handler of its own, e.g. a CLI command): exit as the signal would have, spans flushed.
    if (process.listenerCount(signal) === 0) process.exit(signal === 'SIGTERM' ? 143 : 130);
  };
  process.on('SIGTERM', arm);
  process.on('SIGINT', arm);
}

// ---- contexts ---------------------------------------------------------------------------------

/**
 * Runs `fn` with the request's `traceparent` (and `tracestate`) as the active context, so the
 * publish span it starts is the caller's child. Without tracing, or without the header, just `fn()`.
 * Adopted only from platform keys: authenticated procedures of other callers run under
 * `withoutIncomingTrace` (server/api/trpc.ts).
 */
export function withIncomingTrace<T>(headers: Headers, fn: () => T): T {
  const s = holder.__hookrelayTracing;
  const traceparent = s && headers.get('traceparent');
  if (!s || !traceparent) return fn();
  const carrier: Record<string, string> = { traceparent };
  const tracestate = headers.get('tracestate');
  if (tracestate) carrier.tracestate = tracestate;
  return context.with(s.propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter), fn);
}

/**
 * Runs `fn` outside any incoming trace: what it starts begins a new trace. For callers whose
 * `traceparent` is not trusted (customer keys, dashboard sessions): only platform keys, the
 * platform's own services, may join a request to their traces.
 */
export function withoutIncomingTrace<T>(fn: () => T): T {
  if (!holder.__hookrelayTracing) return fn();
  return context.with(ROOT_CONTEXT, fn);
}

/** A stored `traceparent` as a parent context (a new trace when there is none). */
export function contextFrom(traceparent: string | null | undefined): Context {
  const s = holder.__hookrelayTracing;
  if (!s || !traceparent) return ROOT_CONTEXT;
  return s.propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
}

/** The context whose parent is `span`. */
export function contextOf(span: Span): Context {
  return trace.setSpan(ROOT_CONTEXT, span);
}

/** `span`'s W3C `traceparent`, to store or to send on. */
export function traceparentOf(span: Span): string | undefined {
  const s = holder.__hookrelayTracing;
  if (!s) return undefined;
  const carrier: Record<string, string> = {};
  s.propagator.inject(contextOf(span), carrier, defaultTextMapSetter);
  return carrier.traceparent;
}

// ---- the spans of the road ----------------------------------------------------------------------

export const spanNames = {
  publish: 'hookrelay.publish',
  fanout: 'hookrelay.fanout',
  admission: 'hookrelay.admission',
  attempt: 'hookrelay.attempt',
  replay: 'hookrelay.replay',
} as const;

function start(name: string, kind: SpanKind, parent: Context, startTime?: number, links?: Link[]): Span | undefined {
  const s = holder.__hookrelayTracing;
  if (!s) return undefined;
  return s.tracer.startSpan(name, { kind, ...(startTime !== undefined && { startTime }), ...(links?.length && { links }) }, parent);
}

function fail(span: Span, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') span.setAttribute('hookrelay.error.code', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
}

/** Publish of one event: a child of the active context (the request's traceparent, withIncomingTrace). */
export function startPublishSpan(): Span | undefined {
  return start(spanNames.publish, SpanKind.PRODUCER, context.active());
}

export function describePublish(span: Span | undefined, eventId: string, type: string, customerId: string | null): void {
  span?.setAttributes({
    'hookrelay.event.id': eventId,
    'hookrelay.event.type': type,
    ...(customerId ? { 'hookrelay.customer.id': customerId } : { 'hookrelay.event.broadcast': true }),
  });
}

/** Ends a publish span with its result: accepted (with the delivery count, or a duplicate), or refused. */
export function endPublishSpan(span: Span | undefined, result: { id: string; deliveries: number | null; duplicate: boolean } | Error): void {
  if (!span) return;
  if (result instanceof Error) fail(span, result);
  else {
    span.setAttribute('hookrelay.event.id', result.id);
    span.setAttribute('hookrelay.event.duplicate', result.duplicate);
    if (result.deliveries !== null) span.setAttribute('hookrelay.event.deliveries', result.deliveries);
  }
  span.end();
}

/** The fan-out of one event: inline in its publish, or the worker's fan-out job (parent from events.trace_parent). */
export function startFanoutSpan(parent: Context, eventId: string, inline: boolean): Span | undefined {
  const span = start(spanNames.fanout, SpanKind.INTERNAL, parent);
  span?.setAttributes({ 'hookrelay.event.id': eventId, 'hookrelay.fanout.inline': inline });
  return span;
}

export function endFanoutSpan(span: Span | undefined, deliveries: number, filteredOut: number, err?: unknown): void {
  if (!span) return;
  span.setAttributes({ 'hookrelay.fanout.deliveries': deliveries, 'hookrelay.fanout.filtered_out': filteredOut });
  if (err !== undefined) fail(span, err);
  span.end();
}

export type AdmissionPath = 'fast' | 'dispatcher' | 'probe';

/** One delivery admitted into its subscription's window (a `deliver` job for attempt `attempt`). */
export function startAdmissionSpan(
  parent: Context,
  startTime: number,
  d: { deliveryId: string; eventId: string; subscriptionId: string; customerId: string; attempt: number; path: AdmissionPath },
): Span | undefined {
  const span = start(spanNames.admission, SpanKind.INTERNAL, parent, startTime);
  span?.setAttributes({
    'hookrelay.delivery.id': d.deliveryId,
    'hookrelay.event.id': d.eventId,
    'hookrelay.subscription.id': d.subscriptionId,
    'hookrelay.customer.id': d.customerId,
    'hookrelay.attempt.number': d.attempt,
    'hookrelay.admission.path': d.path,
  });
  return span;
}

/** One HTTP attempt of a delivery: a child of its admission (the job's traceparent), else of publish. */
export function startAttemptSpan(
  parentTraceparent: string | null | undefined,
  d: { deliveryId: string; eventId: string; subscriptionId: string; customerId: string; attempt: number; url: string },
): Span | undefined {
  const span = start(spanNames.attempt, SpanKind.CLIENT, contextFrom(parentTraceparent));
  if (!span) return undefined;
  let host: string | undefined;
  try {
    host = new URL(d.url).hostname;
  } catch {
    // the URL guard refuses it; no host to name
  }
  span.setAttributes({
    'hookrelay.delivery.id': d.deliveryId,
    'hookrelay.event.id': d.eventId,
    'hookrelay.subscription.id': d.subscriptionId,
    'hookrelay.customer.id': d.customerId,
    'hookrelay.attempt.number': d.attempt,
    'http.request.method': 'POST',
    ...(host && { 'server.address': host }),
  });
  return span;
}

/**
 * Adds the attempt span's `traceparent` (and `tracestate`) to the request headers of a subscription
 * that opted in (`traceContext`).
 */
export function injectTraceHeaders(span: Span | undefined, headers: Record<string, string>): void {
  const s = holder.__hookrelayTracing;
  if (!s || !span) return;
  s.propagator.inject(contextOf(span), headers, defaultTextMapSetter);
}

/** What an attempt got and what comes next: `succeeded`, `retry`, `dead` or `gone` (410). */
export function endAttemptSpan(
  span: Span | undefined,
  r: { status: number | null; errorClass: string | null; latencyMs: number; outcome: 'succeeded' | 'retry' | 'dead' | 'gone' },
  err?: unknown,
): void {
  if (!span) return;
  span.setAttributes({
    'hookrelay.attempt.outcome': r.outcome,
    'hookrelay.attempt.latency_ms': r.latencyMs,
    ...(r.status !== null && { 'http.response.status_code': r.status }),
    ...(r.errorClass !== null && { 'error.type': r.errorClass }),
  });
  if (err !== undefined) fail(span, err);
  else if (r.outcome !== 'succeeded')
    span.setStatus({ code: SpanStatusCode.ERROR, message: r.status !== null ? `HTTP ${r.status}` : (r.errorClass ?? r.outcome) });
  span.end();
}

/**
 * A replay of one delivery: a child of the event's publish (events.trace_parent), linked to the
 * request that asked for it when that request carried a trace.
 */
export function startReplaySpan(
  eventTraceparent: string | null,
  d: { deliveryId: string; eventId: string; subscriptionId: string; customerId: string; kind: 'single' | 'bulk'; bulkReplayId?: string },
): Span | undefined {
  if (!holder.__hookrelayTracing) return undefined;
  const caller = trace.getSpanContext(context.active());
  const span = start(spanNames.replay, SpanKind.INTERNAL, contextFrom(eventTraceparent), undefined, caller ? [{ context: caller }] : undefined);
  span?.setAttributes({
    'hookrelay.delivery.id': d.deliveryId,
    'hookrelay.event.id': d.eventId,
    'hookrelay.subscription.id': d.subscriptionId,
    'hookrelay.customer.id': d.customerId,
    'hookrelay.replay.kind': d.kind,
    ...(d.bulkReplayId && { 'hookrelay.bulk_replay.id': d.bulkReplayId }),
  });
  return span;
}

/** Ends any span of ours, marking it failed when `err` is given. */
export function endSpan(span: Span | undefined, err?: unknown): void {
  if (!span) return;
  if (err !== undefined) fail(span, err);
  span.end();
}

export type { Context as TraceContext, Span as TraceSpan } from '@opentelemetry/api';
