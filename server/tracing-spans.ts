import {
  context,
  defaultTextMapSetter,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { tracingState } from './tracing';
import { contextFrom, contextOf } from './tracing-context';

/** The spans of an event's road (server/tracing.ts): each starts and ends here, with its attributes. */
export const spanNames = {
  publish: 'hookrelay.publish',
  fanout: 'hookrelay.fanout',
  admission: 'hookrelay.admission',
  attempt: 'hookrelay.attempt',
  replay: 'hookrelay.replay',
} as const;

function start(name: string, kind: SpanKind, parent: Context, startTime?: number, links?: Link[]): Span | undefined {
  const s = tracingState();
  if (!s) return undefined;
  return s.tracer.startSpan(
    name,
    { kind, ...(startTime !== undefined && { startTime }), ...(links?.length && { links }) },
    parent,
  );
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

export function describePublish(
  span: Span | undefined,
  eventId: string,
  type: string,
  customerId: string | null,
): void {
  span?.setAttributes({
    'hookrelay.event.id': eventId,
    'hookrelay.event.type': type,
    ...(customerId ? { 'hookrelay.customer.id': customerId } : { 'hookrelay.event.broadcast': true }),
  });
}

/** Ends a publish span with its result: accepted (with the delivery count, or a duplicate), or refused. */
export function endPublishSpan(
  span: Span | undefined,
  result: { id: string; deliveries: number | null; duplicate: boolean } | Error,
): void {
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
  d: {
    deliveryId: string;
    eventId: string;
    subscriptionId: string;
    customerId: string;
    attempt: number;
    path: AdmissionPath;
  },
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
  const s = tracingState();
  if (!s || !span) return;
  s.propagator.inject(contextOf(span), headers, defaultTextMapSetter);
}

/** What an attempt got and what comes next: `succeeded`, `retry`, `dead` or `gone` (410). */
export function endAttemptSpan(
  span: Span | undefined,
  r: {
    status: number | null;
    errorClass: string | null;
    latencyMs: number;
    outcome: 'succeeded' | 'retry' | 'dead' | 'gone';
  },
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
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: r.status !== null ? `HTTP ${r.status}` : (r.errorClass ?? r.outcome),
    });
  span.end();
}

/**
 * A replay of one delivery: a child of the event's publish (events.trace_parent), linked to the
 * request that asked for it when that request carried a trace.
 */
export function startReplaySpan(
  eventTraceparent: string | null,
  d: {
    deliveryId: string;
    eventId: string;
    subscriptionId: string;
    customerId: string;
    kind: 'single' | 'bulk';
    bulkReplayId?: string;
  },
): Span | undefined {
  if (!tracingState()) return undefined;
  const caller = trace.getSpanContext(context.active());
  const span = start(
    spanNames.replay,
    SpanKind.INTERNAL,
    contextFrom(eventTraceparent),
    undefined,
    caller ? [{ context: caller }] : undefined,
  );
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

export type { Span as TraceSpan } from '@opentelemetry/api';
