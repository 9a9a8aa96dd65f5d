import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../../drizzle/schema';
import { BASE_URL, restClient, roomyLimiter, trpcClient, type Json, type Rest } from '../../tests/support/api';
import { ok } from '../../tests/support/api-world';
import { deliveriesOf, deliveryOf, onlyDelivery, startEngine, waitForStatus } from '../../tests/support/engine';
import { fileScoped } from '../../tests/support/file-scoped';
import { startReceiver } from '../../tests/support/receiver';
import { platformScope } from '../domain/context';
import { createApiKey } from '../domain/tenants/api-keys';
import { createCustomer } from '../domain/tenants/customers';
import { ATTEMPTS_PER_READ } from '../domain/delivery/delivery-reads';
import { DELIVERIES_PER_EVENT_READ, PAYLOAD_PREVIEW_BYTES } from '../domain/events/event-reads';
import { publishEvent } from '../domain/events/publish';
import { createSubscription } from '../domain/subscriptions/subscription-changes';
import { bearerContext } from './bearer';
import { handleRest } from './rest';
import { serveTrpc, TRPC_ENDPOINT } from './trpc-handler';

/**
 * Reads are bounded. An event's body (up to 256 KiB) travels once per read, never once per attempt;
 * lists carry a 1 KiB preview of it unless asked for `full`; a delivery read carries its latest 50
 * attempts and an event read its first 50 deliveries, each with the total. Sizes are measured on the
 * bytes the API answers, over REST and over tRPC as the dashboard's event page calls it.
 */
const BUDGET = 300_000;
// 20 s of schedule is 100 ms here; the breaker never opens, so failures come as fast as the schedule says.
const engine = fileScoped(() => startEngine('reads', { retryTimeScale: 0.005, breakerThreshold: 100_000 }));
let rest: Rest;
let key: string;
let failing: Awaited<ReturnType<typeof startReceiver>>;
let accepting: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  rest = restClient(engine.ctx);
  key = (await createApiKey(engine.ctx, null, 'test')).key;
  failing = await startReceiver(() => ({ status: 500, body: 'down for maintenance' }));
  accepting = await startReceiver();
});

afterAll(async () => {
  await failing?.close();
  await accepting?.close();
});

/** A body of exactly the size limit once stored as `{"id","type","timestamp","data"}`. */
function bigData(marker: string) {
  return { marker, blob: 'x'.repeat(256 * 1024 - 200) };
}

async function storedBody(eventId: string): Promise<string> {
  const [row] = await engine.ctx.db.select({ body: events.body }).from(events).where(eq(events.id, eventId));
  return row!.body;
}

/** A REST GET, answering its exact byte size and its JSON. */
async function restGet(path: string, query: Record<string, string> = {}) {
  const url = new URL(`/api/v1${path}`, BASE_URL);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await handleRest(
    new Request(url, { headers: { authorization: `Bearer ${key}` } }),
    path,
    engine.ctx,
    BASE_URL,
    { rateLimiter: roomyLimiter() },
  );
  const bytes = Buffer.from(await res.arrayBuffer());
  expect(res.status, bytes.toString()).toBe(200);
  return { bytes: bytes.length, body: JSON.parse(bytes.toString('utf8')) };
}

/** One tRPC GET batch, as the dashboard's httpBatchLink sends the queries of a page: its byte size and results. */
async function trpcBatch(calls: Array<[procedure: string, input: unknown]>) {
  const input = Object.fromEntries(calls.map(([, i], n) => [n, i]));
  const url = `${BASE_URL}${TRPC_ENDPOINT}/${calls.map(([p]) => p).join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`;
  const req = new Request(url, { headers: { authorization: `Bearer ${key}` } });
  const res = await serveTrpc(
    req,
    () => bearerContext(engine.ctx, req, { baseUrl: BASE_URL, rateLimiter: roomyLimiter() }),
    {
      maxBodyBytes: engine.ctx.config.maxPayloadBytes,
    },
  );
  const bytes = Buffer.from(await res.arrayBuffer());
  expect(res.status, bytes.toString().slice(0, 500)).toBe(200);
  return { bytes: bytes.length, results: (JSON.parse(bytes.toString('utf8')) as Json[]).map((r) => r.result.data) };
}

async function failingDelivery(maxAttempts: number) {
  const customer = await createCustomer(engine.ctx, platformScope, { name: 'Reads' });
  await createSubscription(engine.ctx, platformScope, {
    customerId: customer.id,
    url: `${failing.url}/hook`,
    eventTypes: ['*'],
    retryPolicy: { maxAttempts, scheduleSeconds: [20] },
  });
  return customer;
}

/** Waits for the delivery to die, then replays it until it has more than `attempts` attempts. */
async function failUntil(deliveryId: string, attempts: number) {
  for (;;) {
    const d = await waitForStatus(engine.ctx, deliveryId, 'dead');
    if (d.attemptCount > attempts) return d;
    await ok(rest('POST', '/deliveries/{id}/replay', { key, params: { id: deliveryId } }), 202);
    await expect
      .poll(async () => (await deliveryOf(engine.ctx, deliveryId)).attemptCount, { timeout: 30_000 })
      .toBeGreaterThan(d.attemptCount);
  }
}

describe('an event of 256 KiB whose endpoint keeps failing', () => {
  // Set up by the first test that needs it (expect.poll, which waiting uses, runs only inside tests).
  let ready: Promise<{ eventId: string; deliveryId: string; body: string; attemptCount: number }> | undefined;
  const big = () =>
    (ready ??= (async () => {
      const customer = await failingDelivery(3);
      const event = await publishEvent(engine.ctx, platformScope, {
        type: 'report.ready',
        data: bigData('big-one'),
        customerId: customer.id,
      });
      const body = await storedBody(event.id);
      expect(Buffer.byteLength(body)).toBeGreaterThan(256 * 1024 - 200);
      const deliveryId = (await onlyDelivery(engine.ctx, event.id)).id;
      // Several attempts, over two cycles (the first, then a replay).
      const { attemptCount } = await failUntil(deliveryId, 3);
      return { eventId: event.id, deliveryId, body, attemptCount };
    })());

  it('GET /events/{id}: the payload once, under 300 KB', async () => {
    const { eventId, deliveryId, attemptCount } = await big();
    const { bytes, body: read } = await restGet(`/events/${eventId}`);
    expect(bytes).toBeLessThan(BUDGET);
    expect(read.payload.data.marker).toBe('big-one');
    expect(read).toMatchObject({
      deliveriesTotal: 1,
      deliveryStatus: { dead: 1 },
      deliveries: [{ id: deliveryId, attemptCount }],
    });
  });

  it('GET /deliveries/{id}: the exact request body once, every attempt without it, under 300 KB', async () => {
    const { eventId, deliveryId, body, attemptCount } = await big();
    const { bytes, body: read } = await restGet(`/deliveries/${deliveryId}`);
    expect(bytes).toBeLessThan(BUDGET);
    expect(read.requestBody).toBe(body);
    expect(failing.received.find((r) => r.headers['webhook-id'] === eventId)?.body).toBe(body);
    expect(read).toMatchObject({ attemptsTotal: attemptCount, attemptsNextCursor: null });
    expect(read.attempts).toHaveLength(attemptCount);
    for (const a of read.attempts) {
      // No body per attempt: only a transform's rewrite would be here (none on this subscription).
      expect(Object.keys(a.request).sort()).toEqual(['headers', 'method', 'transformedBody', 'url']);
      expect(a.request.transformedBody).toBeNull();
      expect(a.request.headers['webhook-id']).toBe(eventId);
      expect(a.response).toMatchObject({ status: 500, bodyExcerpt: 'down for maintenance' });
    }
  });

  it("the dashboard's event page (tRPC: the event, then its delivery without the body) stays under 300 KB", async () => {
    const { eventId, body, attemptCount } = await big();
    const page = await trpcBatch([['events.get', { id: eventId }]]);
    const cards = await trpcBatch(
      page.results[0].deliveries.map((d: Json) => ['deliveries.get', { id: d.id, includeBody: false }]),
    );
    expect(page.bytes + cards.bytes).toBeLessThan(BUDGET);
    expect(cards.results[0]).not.toHaveProperty('requestBody');
    expect(cards.results[0].attempts).toHaveLength(attemptCount);
    // The page shows the exact bytes from the event it already has: serialising the parsed payload
    // again gives back the stored body, byte for byte.
    expect(JSON.stringify(page.results[0].payload)).toBe(body);
  });

  it('GET /deliveries/{id}?includeBody=false leaves the body out', async () => {
    const { deliveryId, attemptCount } = await big();
    const { bytes, body: read } = await restGet(`/deliveries/${deliveryId}`, { includeBody: 'false' });
    expect(bytes).toBeLessThan(20_000);
    expect(read).not.toHaveProperty('requestBody');
    expect(read.attempts).toHaveLength(attemptCount);
  });
});

describe('lists carry a preview of each payload unless asked for it in full', () => {
  let customerId: string;
  const published: Array<{ id: string; body: string }> = [];

  beforeAll(async () => {
    customerId = (await createCustomer(engine.ctx, platformScope, { name: 'Big publisher' })).id;
    for (let i = 0; i < 50; i++) {
      const e = await publishEvent(engine.ctx, platformScope, {
        type: 'report.ready',
        data: bigData(`n${i}`),
        customerId,
      });
      published.push({ id: e.id, body: await storedBody(e.id) });
    }
  });

  it('GET /events with 50 events of 256 KiB stays small: a 1 KiB preview, the size, truncated', async () => {
    const { bytes, body: list } = await restGet('/events', { customerId });
    expect(list.data).toHaveLength(50);
    expect(bytes).toBeLessThan(50 * (PAYLOAD_PREVIEW_BYTES + 1024));
    const newestFirst = [...published].reverse();
    list.data.forEach((e: Json, i: number) => {
      const stored = newestFirst[i]!;
      expect(e.id).toBe(stored.id);
      expect(e).not.toHaveProperty('payload');
      expect(e).toMatchObject({ payloadBytes: Buffer.byteLength(stored.body), payloadTruncated: true });
      expect(Buffer.byteLength(e.payloadPreview)).toBe(PAYLOAD_PREVIEW_BYTES);
      expect(stored.body.startsWith(e.payloadPreview)).toBe(true);
    });
  });

  it('GET /events?full=true returns the payloads', async () => {
    const { bytes, body: list } = await restGet('/events', { customerId, limit: '2', full: 'true' });
    expect(list.data.map((e: Json) => e.payload.data.marker)).toEqual(['n49', 'n48']);
    expect(bytes).toBeGreaterThan(2 * 256 * 1024 - 1000);
    expect((await restGet('/events', { customerId, limit: '1', full: 'false' })).body.data[0]).not.toHaveProperty(
      'payload',
    );
  });

  it('tRPC events.list: the same preview by default, the payload with full: true', async () => {
    const client = trpcClient(engine.ctx, key);
    const page = await client.events.list.query({ customerId, limit: 50 });
    expect(
      page.data.every(
        (e) => !('payload' in e) && e.payloadTruncated && Buffer.byteLength(e.payloadPreview) <= PAYLOAD_PREVIEW_BYTES,
      ),
    ).toBe(true);
    expect(JSON.stringify(page).length).toBeLessThan(50 * (PAYLOAD_PREVIEW_BYTES + 1024));
    const full = await client.events.list.query({ customerId, limit: 1, full: true });
    expect(full.data[0]).toMatchObject({ payload: { data: { marker: 'n49' } } });
  });

  it('a small payload is whole in its preview; a long one is cut on a character boundary', async () => {
    const small = await publishEvent(engine.ctx, platformScope, { type: 'tiny.one', data: { ok: true }, customerId });
    const accents = await publishEvent(engine.ctx, platformScope, {
      type: 'tiny.accents',
      data: { s: 'é'.repeat(2000) },
      customerId,
    });
    const { body: list } = await restGet('/events', { customerId, limit: '2' });
    const [a, s] = list.data as Json[];
    expect(s).toMatchObject({ id: small.id, payloadPreview: await storedBody(small.id), payloadTruncated: false });
    expect(a.id).toBe(accents.id);
    expect(a.payloadTruncated).toBe(true);
    expect(Buffer.byteLength(a.payloadPreview)).toBeLessThanOrEqual(PAYLOAD_PREVIEW_BYTES);
    expect(Buffer.byteLength(a.payloadPreview)).toBeGreaterThan(PAYLOAD_PREVIEW_BYTES - 2);
    expect(a.payloadPreview).not.toContain('\uFFFD');
    expect((await storedBody(accents.id)).startsWith(a.payloadPreview)).toBe(true);
  });

  it('full must be true or false', async () => {
    const res = await rest('GET', '/events', { key, query: { full: 'yes' } });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'bad_request', field: 'full' } } });
  });
});

describe('a delivery read carries its latest attempts, an event read its first deliveries, each with the total', () => {
  it(`GET /deliveries/{id} returns the latest ${ATTEMPTS_PER_READ} attempts; attemptsNextCursor pages to older ones`, async () => {
    const customer = await failingDelivery(30);
    const event = await publishEvent(engine.ctx, platformScope, {
      type: 'report.ready',
      data: { small: true },
      customerId: customer.id,
    });
    const deliveryId = (await onlyDelivery(engine.ctx, event.id)).id;
    const total = (await failUntil(deliveryId, ATTEMPTS_PER_READ + 5)).attemptCount;

    const { body: latest } = await restGet(`/deliveries/${deliveryId}`);
    expect(latest.attemptsTotal).toBe(total);
    expect(latest.attempts.map((a: Json) => a.attemptSeq)).toEqual(
      Array.from({ length: ATTEMPTS_PER_READ }, (_, i) => total - ATTEMPTS_PER_READ + 1 + i),
    );
    expect(latest.attemptsNextCursor).toBe(total - ATTEMPTS_PER_READ + 1);

    // Paging back to the first attempt sees each attempt once, oldest first within a page.
    const seen: number[] = latest.attempts.map((a: Json) => a.attemptSeq);
    let cursor: number | null = latest.attemptsNextCursor;
    while (cursor !== null) {
      const { body: older } = await restGet(`/deliveries/${deliveryId}`, { attemptsCursor: String(cursor) });
      expect(older.attempts.length).toBeLessThanOrEqual(ATTEMPTS_PER_READ);
      expect(older.attemptsTotal).toBe(total);
      seen.unshift(...older.attempts.map((a: Json) => a.attemptSeq));
      cursor = older.attemptsNextCursor;
    }
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));

    const client = trpcClient(engine.ctx, key);
    const viaTrpc = await client.deliveries.get.query({ id: deliveryId, attemptsCursor: latest.attemptsNextCursor });
    expect(viaTrpc.attempts.at(-1)?.attemptSeq).toBe(total - ATTEMPTS_PER_READ);
    for (const bad of ['0', '-1', 'soon']) {
      expect(
        await rest('GET', '/deliveries/{id}', { key, params: { id: deliveryId }, query: { attemptsCursor: bad } }),
      ).toMatchObject({
        status: 400,
        body: { error: { field: 'attemptsCursor' } },
      });
    }
    expect(
      await rest('GET', '/deliveries/{id}', { key, params: { id: deliveryId }, query: { includeBody: 'no' } }),
    ).toMatchObject({
      status: 400,
      body: { error: { field: 'includeBody' } },
    });
  });

  it(`GET /events/{id} returns the first ${DELIVERIES_PER_EVENT_READ} deliveries, their total and counts by status`, async () => {
    const customer = await createCustomer(engine.ctx, platformScope, { name: 'Many endpoints' });
    const n = DELIVERIES_PER_EVENT_READ + 3;
    for (let i = 0; i < n; i++)
      await createSubscription(engine.ctx, platformScope, {
        customerId: customer.id,
        url: `${accepting.url}/hook/${i}`,
        eventTypes: ['*'],
      });
    const event = await publishEvent(engine.ctx, platformScope, { type: 'fan.out', data: {}, customerId: customer.id });
    await expect
      .poll(async () => (await deliveriesOf(engine.ctx, event.id)).filter((d) => d.status === 'succeeded').length, {
        timeout: 30_000,
      })
      .toBe(n);
    const all = await deliveriesOf(engine.ctx, event.id);

    const { body: read } = await restGet(`/events/${event.id}`);
    expect(read.deliveriesTotal).toBe(n);
    expect(read.deliveryStatus).toEqual({ succeeded: n });
    expect(read.deliveries.map((d: Json) => d.id)).toEqual(all.slice(0, DELIVERIES_PER_EVENT_READ).map((d) => d.id));
    // The routing trace still covers every subscription, delivered or not shown.
    expect(read.routing.filter((r: Json) => r.matched)).toHaveLength(n);
    // The rest are a list away.
    const { body: rest2 } = await restGet('/deliveries', { eventId: event.id, limit: '200' });
    expect(rest2.data).toHaveLength(n);
  });
});
