import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { contextFrom, traceparentOf, withIncomingTrace } from './tracing-context';
import {
  endAttemptSpan,
  injectTraceHeaders,
  startAdmissionSpan,
  startAttemptSpan,
  startPublishSpan,
  startReplaySpan,
} from './tracing-spans';
import { startTracing, stopTracing, tracesUrl, tracingOn } from './tracing';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const delivery = { deliveryId: 'dlv_1', eventId: 'evt_1', subscriptionId: 'sub_1', customerId: 'cus_1', attempt: 1 };

afterEach(async () => {
  await stopTracing();
});

describe('tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('starts nothing: every hook returns at once, without a span, a context or a header', () => {
    expect(tracingOn()).toBe(false);
    expect(startPublishSpan()).toBeUndefined();
    expect(startAdmissionSpan(ROOT_CONTEXT, 0, { ...delivery, path: 'fast' })).toBeUndefined();
    expect(startAttemptSpan(TRACEPARENT, { ...delivery, url: 'https://example.com/hook' })).toBeUndefined();
    expect(startReplaySpan(TRACEPARENT, { ...delivery, kind: 'single' })).toBeUndefined();
    expect(contextFrom(TRACEPARENT)).toBe(ROOT_CONTEXT);
    const headers: Record<string, string> = {};
    injectTraceHeaders(undefined, headers);
    expect(headers).toEqual({});
    // The request's header is not even parsed: the handler runs as it would without tracing.
    let active: unknown;
    const out = withIncomingTrace(new Headers({ traceparent: TRACEPARENT }), () => {
      active = trace.getSpanContext(context.active());
      return 42;
    });
    expect(out).toBe(42);
    expect(active).toBeUndefined();
    // Ending "no span" is a no-op.
    endAttemptSpan(undefined, { status: 200, errorClass: null, latencyMs: 1, outcome: 'succeeded' });
  });
});

describe('tracing on', () => {
  it('parents a publish on the request traceparent, and hands its own traceparent on', async () => {
    const exporter = new InMemorySpanExporter();
    expect(await startTracing({ serviceName: 'unit', spanProcessor: new SimpleSpanProcessor({ exporter }) })).toBe(
      true,
    );
    expect(await startTracing({ serviceName: 'again', spanProcessor: new SimpleSpanProcessor({ exporter }) })).toBe(
      false,
    );
    const span = withIncomingTrace(new Headers({ traceparent: TRACEPARENT }), () => startPublishSpan())!;
    expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    const own = traceparentOf(span)!;
    expect(own).toBe(`00-0af7651916cd43dd8448eb211c80319c-${span.spanContext().spanId}-01`);
    span.end();
    const [finished] = exporter.getFinishedSpans();
    expect(finished!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(finished!.resource.attributes['service.name']).toBe('unit');

    // An attempt under a stored traceparent, and the header a receiver gets.
    const attempt = startAttemptSpan(own, { ...delivery, url: 'https://hooks.example.com/in?token=secret' })!;
    const headers: Record<string, string> = {};
    injectTraceHeaders(attempt, headers);
    expect(headers.traceparent).toBe(`00-0af7651916cd43dd8448eb211c80319c-${attempt.spanContext().spanId}-01`);
    endAttemptSpan(attempt, { status: 503, errorClass: null, latencyMs: 12, outcome: 'retry' });
    const done = exporter.getFinishedSpans()[1]!;
    expect(done.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
    // The host only: a URL's path and query may hold the customer's secrets.
    expect(done.attributes).toMatchObject({
      'server.address': 'hooks.example.com',
      'http.response.status_code': 503,
      'hookrelay.attempt.outcome': 'retry',
    });
    expect(JSON.stringify(done.attributes)).not.toContain('secret');
  });
});

describe('tracesUrl', () => {
  it('appends the OTLP traces path to the endpoint, as the specification says', () => {
    expect(tracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('https://otel.example.com/otlp')).toBe('https://otel.example.com/otlp/v1/traces');
  });
});
