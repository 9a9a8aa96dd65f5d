import { randomBytes } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../drizzle/schema';
import { ok, startApiEngine, type ApiEngine } from '../tests/support/api-world';
import { trpcClient, type Json, type Rest } from '../tests/support/api';
import { attemptsOf, onlyDelivery, waitForStatus } from '../tests/support/engine';
import { spanNames } from './tracing-spans';
import { startTracing, stopTracing, tracingOn } from './tracing';

/**
 * One event's trace, end to end, with the SDK exporting to memory: a REST publish carrying a
 * `traceparent` → publish (its child) → fan-out → admission → attempt 1 (500) → admission of the
 * retry → attempt 2 (200), all one trace id, linked through what the hops store and enqueue (the
 * event's trace_parent, the deliver job's traceparent), never through in-process context. Real
 * PostgreSQL, pg-boss, worker loops and HTTP receiver. Subscriptions that opt in (`traceContext`) get
 * the attempt's `traceparent`; the others do not.
 */
const exporter = new InMemorySpanExporter();
let engine: ApiEngine;
let rest: Rest;
let platformKey: string;
let customerId: string;

beforeAll(async () => {
  await startTracing({ serviceName: 'hookrelay-test', spanProcessor: new SimpleSpanProcessor({ exporter }) });
  engine = await startApiEngine('tracing', { retryTimeScale: 0.01 }, 'tracing test');
  ({ rest, platformKey } = engine);
  customerId = (await ok(rest('POST', '/customers', { key: platformKey, body: { name: 'Traced' } }), 201)).id;
});

afterAll(async () => {
  await stopTracing();
  await engine?.stop();
});

/** A caller's own trace: what its `traceparent` header says. */
function callerTrace() {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
}

function receiverFailingFirst(failures: number) {
  return engine.receiver((_req, i) => (i < failures ? { status: 500, body: 'boom' } : { status: 200 }));
}

/** Publishes `body` over REST with the platform key, in the trace of `caller`. */
const publishTraced = (caller: ReturnType<typeof callerTrace>, body: Json) =>
  ok(rest('POST', '/events', { key: platformKey, headers: { traceparent: caller.header }, body }), 202);

/** Each test's subscriptions take its own event types only, so no test's events reach another's receiver. */
async function subscription(url: string, eventTypes: string[], extra: Record<string, unknown> = {}) {
  return ok(
    rest('POST', '/subscriptions', {
      key: platformKey,
      body: { customerId, url: `${url}/hook`, eventTypes, ...extra },
    }),
    201,
  );
}

/** The spans of an event (by its id attribute), wherever they landed: a stray one would show its own trace id. */
const spansOfEvent = (eventId: string) =>
  exporter.getFinishedSpans().filter((s) => s.attributes['hookrelay.event.id'] === eventId);
const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const one = (spans: ReadableSpan[], name: string, attempt?: number) => {
  const found = named(spans, name).filter(
    (s) => attempt === undefined || s.attributes['hookrelay.attempt.number'] === attempt,
  );
  expect(found, `${name}${attempt ? ` #${attempt}` : ''}`).toHaveLength(1);
  return found[0]!;
};
/** Waits until `attempts` attempt spans of the event have ended; every span of the event is in the trace `traceId`. */
async function spansOfTrace(eventId: string, attempts: number, traceId: string) {
  await expect.poll(() => named(spansOfEvent(eventId), spanNames.attempt).length).toBe(attempts);
  const spans = spansOfEvent(eventId);
  expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));
  return spans;
}
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const idOf = (s: ReadableSpan) => s.spanContext().spanId;

describe('one trace per event, from publish to delivery', () => {
  it('REST publish with a traceparent: publish → fan-out → admission → attempt 1 (500) → admission → attempt 2 (200), and the opted-in receiver gets traceparent', async () => {
    expect(tracingOn()).toBe(true);
    const rx = await receiverFailingFirst(1);
    const sub = await subscription(rx.url, ['order.created'], { traceContext: true });
    expect(sub.traceContext).toBe(true);
    expect(
      (await ok(rest('GET', '/subscriptions/{id}', { key: platformKey, params: { id: sub.id } }))).traceContext,
    ).toBe(true);

    const caller = callerTrace();
    const ev = await publishTraced(caller, { type: 'order.created', data: { n: 1 }, customerId });
    const delivery = await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, ev.id)).id, 'succeeded');
    expect(delivery.attemptCount).toBe(2);
    // The attempt span ends just after its record commits.
    const spans = await spansOfTrace(ev.id, 2, caller.traceId);
    const publish = one(spans, spanNames.publish);
    const fanout = one(spans, spanNames.fanout);
    const admission1 = one(spans, spanNames.admission, 1);
    const attempt1 = one(spans, spanNames.attempt, 1);
    const admission2 = one(spans, spanNames.admission, 2);
    const attempt2 = one(spans, spanNames.attempt, 2);
    expect(parentOf(publish)).toBe(caller.spanId);
    expect(parentOf(fanout)).toBe(idOf(publish));
    // Admitted inline by the publish (under its fan-out), or, when the customer's admission lock was
    // held by the dispatcher or a refill at that moment, by the next of them (under the publish).
    expect(parentOf(admission1)).toBe(
      admission1.attributes['hookrelay.admission.path'] === 'fast' ? idOf(fanout) : idOf(publish),
    );
    expect(parentOf(attempt1)).toBe(idOf(admission1));
    // The retry is admitted by the dispatcher, in the worker: under the publish, through the event's stored trace context.
    expect(parentOf(admission2)).toBe(idOf(publish));
    expect(parentOf(attempt2)).toBe(idOf(admission2));

    expect(publish.attributes).toMatchObject({
      'hookrelay.event.type': 'order.created',
      'hookrelay.customer.id': customerId,
      'hookrelay.event.deliveries': 1,
    });
    expect(fanout.attributes).toMatchObject({ 'hookrelay.fanout.inline': true, 'hookrelay.fanout.deliveries': 1 });
    expect(admission1.attributes).toMatchObject({ 'hookrelay.delivery.id': delivery.id });
    expect(['fast', 'dispatcher']).toContain(admission1.attributes['hookrelay.admission.path']);
    // A retry that comes due is admitted by the dispatcher's tick or by a worker's refill, whichever runs first.
    expect(admission2.attributes).toMatchObject({ 'hookrelay.delivery.id': delivery.id });
    expect(['dispatcher', 'fast']).toContain(admission2.attributes['hookrelay.admission.path']);
    expect(attempt1.attributes).toMatchObject({
      'hookrelay.delivery.id': delivery.id,
      'hookrelay.attempt.number': 1,
      'http.response.status_code': 500,
      'hookrelay.attempt.outcome': 'retry',
    });
    expect(attempt1.status.code).toBe(2); // ERROR
    expect(attempt2.attributes).toMatchObject({
      'hookrelay.attempt.number': 2,
      'http.response.status_code': 200,
      'hookrelay.attempt.outcome': 'succeeded',
    });
    expect(attempt2.status.code).not.toBe(2);
    for (const a of [attempt1, attempt2])
      expect(a.attributes['hookrelay.attempt.latency_ms']).toEqual(expect.any(Number));

    // Later hops in other processes find the publish through the event row.
    const [row] = await engine.ctx.db
      .select({ traceParent: events.traceParent })
      .from(events)
      .where(eq(events.id, ev.id));
    expect(row!.traceParent).toBe(`00-${caller.traceId}-${idOf(publish)}-01`);

    // The receiver got each attempt's own trace context, and the recorded request shows it.
    expect(rx.received.map((r) => r.headers.traceparent)).toEqual([
      `00-${caller.traceId}-${idOf(attempt1)}-01`,
      `00-${caller.traceId}-${idOf(attempt2)}-01`,
    ]);
    const recorded = await attemptsOf(engine.ctx, delivery.id);
    expect(recorded.map((a) => a.requestHeaders.traceparent)).toEqual(rx.received.map((r) => r.headers.traceparent));
  });

  it('a subscription that did not opt in gets no traceparent; the trace is kept all the same', async () => {
    const rx = await receiverFailingFirst(0);
    const sub = await subscription(rx.url, ['order.shipped']);
    expect(sub.traceContext).toBe(false);
    const caller = callerTrace();
    const ev = await publishTraced(caller, { type: 'order.shipped', data: {}, customerId });
    await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, ev.id)).id, 'succeeded');
    await spansOfTrace(ev.id, 1, caller.traceId);
    expect(rx.received).toHaveLength(1);
    expect(rx.received[0]!.headers).not.toHaveProperty('traceparent');
    expect(rx.received[0]!.headers).not.toHaveProperty('tracestate');

    // Opting in later (PATCH) takes effect on the next attempt.
    const patched = await ok(
      rest('PATCH', '/subscriptions/{id}', { key: platformKey, params: { id: sub.id }, body: { traceContext: true } }),
    );
    expect(patched.traceContext).toBe(true);
    const ev2 = await ok(
      rest('POST', '/events', { key: platformKey, body: { type: 'order.shipped', data: {}, customerId } }),
      202,
    );
    await rx.waitFor(2);
    expect(rx.received[1]!.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    // Without a caller's traceparent the event starts a trace of its own.
    await expect.poll(() => named(spansOfEvent(ev2.id), spanNames.attempt).length).toBe(1);
    const publish = one(spansOfEvent(ev2.id), spanNames.publish);
    expect(publish.parentSpanContext).toBeUndefined();
    expect(rx.received[1]!.headers.traceparent).toContain(publish.spanContext().traceId);
  });

  it('batch publish and tRPC publish: each publish span is a child of the request traceparent', async () => {
    const rx = await receiverFailingFirst(0);
    await subscription(rx.url, ['batch.*', 'trpc.published']);
    const caller = callerTrace();
    const batch = await ok(
      rest('POST', '/events/batch', {
        key: platformKey,
        headers: { traceparent: caller.header },
        body: {
          events: [
            { type: 'batch.a', data: {}, customerId },
            { type: 'batch.b', data: {}, customerId },
          ],
        },
      }),
      202,
    );
    const ids = (batch.results as Array<{ id: string }>).map((r) => r.id);
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      const publish = one(spansOfEvent(id), spanNames.publish);
      expect(publish.spanContext().traceId).toBe(caller.traceId);
      expect(parentOf(publish)).toBe(caller.spanId);
    }

    const viaTrpc = callerTrace();
    const client = trpcClient(engine.ctx, platformKey, { headers: { traceparent: viaTrpc.header } });
    const ev = await client.events.publish.mutate({ type: 'trpc.published', data: {}, customerId });
    const publish = one(spansOfEvent(ev.id), spanNames.publish);
    expect(publish.spanContext().traceId).toBe(viaTrpc.traceId);
    expect(parentOf(publish)).toBe(viaTrpc.spanId);
    await rx.waitFor(3);
    await expect.poll(() => named(spansOfEvent(ev.id), spanNames.attempt).length).toBe(1);
    expect(one(spansOfEvent(ev.id), spanNames.attempt).spanContext().traceId).toBe(viaTrpc.traceId);
  });

  it("a customer key's traceparent is not adopted: its publish starts a new trace (REST and tRPC)", async () => {
    const k = await ok(
      rest('POST', '/customers/{id}/api-keys', {
        key: platformKey,
        params: { id: customerId },
        body: { name: 'traced customer' },
      }),
      201,
    );
    const caller = callerTrace();
    const viaRest = await ok(
      rest('POST', '/events', {
        key: k.key,
        headers: { traceparent: caller.header },
        body: { type: 'untrusted.rest', data: {} },
      }),
      202,
    );
    const client = trpcClient(engine.ctx, k.key, { headers: { traceparent: caller.header } });
    const viaTrpc = await client.events.publish.mutate({ type: 'untrusted.trpc', data: {} });
    for (const id of [viaRest.id as string, viaTrpc.id]) {
      const publish = one(spansOfEvent(id), spanNames.publish);
      expect(publish.spanContext().traceId).not.toBe(caller.traceId);
      expect(parentOf(publish)).toBeUndefined();
    }
  });

  it('a broadcast is fanned out by the worker under the publish, through the stored trace context', async () => {
    const rx = await receiverFailingFirst(0);
    await subscription(rx.url, ['everyone.told']);
    const caller = callerTrace();
    const ev = await publishTraced(caller, { type: 'everyone.told', data: {}, broadcast: true });
    await rx.waitFor(1);
    const spans = await spansOfTrace(ev.id, 1, caller.traceId);
    const publish = one(spans, spanNames.publish);
    const fanout = one(spans, spanNames.fanout);
    expect(fanout.attributes['hookrelay.fanout.inline']).toBe(false);
    expect(parentOf(fanout)).toBe(idOf(publish));
    const admission = one(spans, spanNames.admission, 1);
    expect(parentOf(admission)).toBe(idOf(fanout));
    expect(parentOf(one(spans, spanNames.attempt, 1))).toBe(idOf(admission));
  });

  it('replays (one delivery, and bulk) join the event trace under its publish', async () => {
    const rx = await receiverFailingFirst(1);
    await subscription(rx.url, ['replay.one'], { retryPolicy: { maxAttempts: 1 } });
    const caller = callerTrace();
    const ev = await publishTraced(caller, { type: 'replay.one', data: {}, customerId });
    const d = await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, ev.id)).id, 'dead');

    // One delivery: the replay request carries a trace of its own, which the replay span links to.
    const asker = callerTrace();
    await ok(
      rest('POST', '/deliveries/{id}/replay', {
        key: platformKey,
        headers: { traceparent: asker.header },
        params: { id: d.id },
      }),
    );
    await waitForStatus(engine.ctx, d.id, 'succeeded');
    let spans = await spansOfTrace(ev.id, 2, caller.traceId);
    const publish = one(spans, spanNames.publish);
    const replay = one(spans, spanNames.replay);
    expect(parentOf(replay)).toBe(idOf(publish));
    expect(replay.attributes).toMatchObject({ 'hookrelay.replay.kind': 'single', 'hookrelay.delivery.id': d.id });
    expect(replay.links.map((l) => l.context.spanId)).toEqual([asker.spanId]);
    const admission = one(spans, spanNames.admission, 2);
    expect(parentOf(admission)).toBe(idOf(replay));
    expect(parentOf(one(spans, spanNames.attempt, 2))).toBe(idOf(admission));

    // Bulk: make it dead again, then "replay all".
    const rx2 = await receiverFailingFirst(1);
    const sub2 = await subscription(rx2.url, ['replay.bulk'], { retryPolicy: { maxAttempts: 1 } });
    const ev2 = await publishTraced(caller, { type: 'replay.bulk', data: {}, customerId });
    const d2 = await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, ev2.id)).id, 'dead');
    const bulk = await ok(
      rest('POST', '/replays', { key: platformKey, body: { customerId, subscriptionId: sub2.id } }),
      202,
    );
    await waitForStatus(engine.ctx, d2.id, 'succeeded');
    spans = await spansOfTrace(ev2.id, 2, caller.traceId);
    const bulkReplay = one(spans, spanNames.replay);
    expect(parentOf(bulkReplay)).toBe(idOf(one(spans, spanNames.publish)));
    expect(bulkReplay.attributes).toMatchObject({
      'hookrelay.replay.kind': 'bulk',
      'hookrelay.bulk_replay.id': bulk.id,
    });
    expect(one(spans, spanNames.attempt, 2).spanContext().traceId).toBe(caller.traceId);
  });

  it('with tracing off: no span, no stored trace context, no traceparent even for an opted-in subscription', async () => {
    await stopTracing();
    expect(tracingOn()).toBe(false);
    const before = exporter.getFinishedSpans().length;
    const rx = await receiverFailingFirst(0);
    await subscription(rx.url, ['untraced.event'], { traceContext: true });
    const caller = callerTrace();
    const ev = await publishTraced(caller, { type: 'untraced.event', data: {}, customerId });
    await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, ev.id)).id, 'succeeded');
    expect(rx.received[0]!.headers).not.toHaveProperty('traceparent');
    const [row] = await engine.ctx.db
      .select({ traceParent: events.traceParent })
      .from(events)
      .where(eq(events.id, ev.id));
    expect(row!.traceParent).toBeNull();
    expect(exporter.getFinishedSpans()).toHaveLength(before);
  });
});
