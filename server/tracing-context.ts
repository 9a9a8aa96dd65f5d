import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { tracingState } from './tracing';

/** Trace contexts: an incoming request's `traceparent`, a stored one, and a span's, to store or send on (server/tracing.ts). */
/**
 * Runs `fn` with the request's `traceparent` (and `tracestate`) as the active context, so the
 * publish span it starts is the caller's child. Without tracing, or without the header, just `fn()`.
 * Adopted only from platform keys: authenticated procedures of other callers run under
 * `withoutIncomingTrace` (server/api/trpc.ts).
 */
export function withIncomingTrace<T>(headers: Headers, fn: () => T): T {
  const s = tracingState();
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
  if (!tracingState()) return fn();
  return context.with(ROOT_CONTEXT, fn);
}

/** A stored `traceparent` as a parent context (a new trace when there is none). */
export function contextFrom(traceparent: string | null | undefined): Context {
  const s = tracingState();
  if (!s || !traceparent) return ROOT_CONTEXT;
  return s.propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
}

/** The context whose parent is `span`. */
export function contextOf(span: Span): Context {
  return trace.setSpan(ROOT_CONTEXT, span);
}

/** `span`'s W3C `traceparent`, to store or to send on. */
export function traceparentOf(span: Span): string | undefined {
  const s = tracingState();
  if (!s) return undefined;
  const carrier: Record<string, string> = {};
  s.propagator.inject(contextOf(span), carrier, defaultTextMapSetter);
  return carrier.traceparent;
}

export type { Context as TraceContext } from '@opentelemetry/api';
