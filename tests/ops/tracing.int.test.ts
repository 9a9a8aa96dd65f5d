import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformScope } from '../../server/domain/context';
import { createApiKey } from '../../server/domain/tenants/api-keys';
import { createCustomer } from '../../server/domain/tenants/customers';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { onlyDelivery, waitForStatus } from '../support/engine';
import { startFaultBed, type FaultBed } from '../support/fault';
import { startReceiver } from '../support/receiver';
import { ensureWebBuild, stopWeb } from '../support/web-process';
import { stopWorker } from '../support/worker-process';

/**
 * Tracing across real processes, configured only by the environment: `next start` (the production
 * build) and a worker process, both with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a stand-in
 * collector that records the OTLP/HTTP JSON it is sent. One event published over HTTP with a
 * `traceparent`, failed once by its receiver, delivered on the retry: the web process's publish,
 * fan-out and first admission and the worker's attempts and retry admission arrive as one trace.
 * Both processes are stopped with SIGTERM right after the delivery, well inside the batch
 * processor's 5 s export delay: what they buffered is flushed on the way out.
 */
type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: Array<{ key: string; value: OtlpValue }>;
};
type Received = { service: string; span: OtlpSpan; attrs: Record<string, unknown> };

const valueOf = (v: OtlpValue): unknown =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue));

/** Records every span posted to /v1/traces. */
async function startCollector() {
  const spans: Received[] = [];
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(req.url ?? '');
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans?: Array<{
            resource?: { attributes?: Array<{ key: string; value: OtlpValue }> };
            scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
          }>;
        };
        for (const rs of body.resourceSpans ?? []) {
          const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const ss of rs.scopeSpans ?? [])
            for (const span of ss.spans ?? [])
              spans.push({
                service,
                span,
                attrs: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, valueOf(a.value)])),
              });
        }
      } catch {
        // not JSON: counted in `paths`, no spans
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    paths,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let bed: FaultBed;
let collector: Awaited<ReturnType<typeof startCollector>>;

beforeAll(async () => {
  await ensureWebBuild();
  bed = await startFaultBed('ops_tracing');
  collector = await startCollector();
}, 600_000);

afterAll(async () => {
  await bed?.stop();
  await collector?.close();
});

describe('traces from real web and worker processes', () => {
  it('one trace from the publish request to the successful retry, exported over OTLP/HTTP and flushed at SIGTERM', async () => {
    const { ctx } = bed;
    const rx = await startReceiver((_req, i) => (i === 0 ? { status: 500 } : { status: 200 }));
    const customer = await createCustomer(ctx, platformScope, { name: 'Traced' });
    await createSubscription(ctx, platformScope, {
      customerId: customer.id,
      url: `${rx.url}/hook`,
      eventTypes: ['*'],
      traceContext: true,
    });
    const { key } = await createApiKey(ctx, null, 'tracing');
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, RETRY_TIME_SCALE: '0.01' };
    const [web, worker] = await Promise.all([bed.startWeb(otel), bed.startWorker(otel)]);

    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const res = await fetch(`${web.url}/api/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${callerSpan}-01`,
      },
      body: JSON.stringify({ type: 'order.created', data: { n: 1 }, customerId: customer.id }),
    });
    expect(res.status).toBe(202);
    const event = (await res.json()) as { id: string };
    await waitForStatus(ctx, (await onlyDelivery(ctx, event.id)).id, 'succeeded');

    expect(await stopWorker(worker)).toBe(0);
    await stopWeb(web);
    await rx.close();

    expect(collector.paths.every((p) => p === '/v1/traces')).toBe(true);
    const ours = collector.spans.filter((s) => s.attrs['hookrelay.event.id'] === event.id);
    expect(new Set(ours.map((s) => s.span.traceId))).toEqual(new Set([traceId]));
    const find = (name: string, attempt?: number) => {
      const found = ours.filter(
        (s) => s.span.name === name && (attempt === undefined || s.attrs['hookrelay.attempt.number'] === attempt),
      );
      expect(found, `${name} ${attempt ?? ''}`).toHaveLength(1);
      return found[0]!;
    };
    const publish = find('hookrelay.publish');
    const fanout = find('hookrelay.fanout');
    const admission1 = find('hookrelay.admission', 1);
    const attempt1 = find('hookrelay.attempt', 1);
    const admission2 = find('hookrelay.admission', 2);
    const attempt2 = find('hookrelay.attempt', 2);
    expect([publish, fanout, admission1].map((s) => s.service)).toEqual([
      'hookrelay-web',
      'hookrelay-web',
      'hookrelay-web',
    ]);
    expect([attempt1, admission2, attempt2].map((s) => s.service)).toEqual([
      'hookrelay-worker',
      'hookrelay-worker',
      'hookrelay-worker',
    ]);
    expect(publish.span.parentSpanId).toBe(callerSpan);
    expect(fanout.span.parentSpanId).toBe(publish.span.spanId);
    expect(admission1.span.parentSpanId).toBe(fanout.span.spanId);
    expect(attempt1.span.parentSpanId).toBe(admission1.span.spanId);
    expect(admission2.span.parentSpanId).toBe(publish.span.spanId);
    expect(attempt2.span.parentSpanId).toBe(admission2.span.spanId);
    expect(attempt1.attrs).toMatchObject({ 'http.response.status_code': 500, 'hookrelay.attempt.outcome': 'retry' });
    expect(attempt2.attrs).toMatchObject({
      'http.response.status_code': 200,
      'hookrelay.attempt.outcome': 'succeeded',
    });
    expect(rx.received.map((r) => r.headers.traceparent)).toEqual([
      `00-${traceId}-${attempt1.span.spanId}-01`,
      `00-${traceId}-${attempt2.span.spanId}-01`,
    ]);
  });
});
