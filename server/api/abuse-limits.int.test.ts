import { request as httpRequest, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestCtx } from '../../tests/support/context';
import { BASE_URL, restClient, roomyLimiter, serveDoor, snapshot, type Rest } from '../../tests/support/api';
import { createTenant, ok, startApi, type ApiBed } from '../../tests/support/api-world';
import { eq } from 'drizzle-orm';
import { subscriptions } from '../../drizzle/schema';
import { windowRoom } from '../domain/delivery/admission';
import { rawClient } from '../db/client';
import { recordAudit } from '../domain/audit/log';
import { customerScope } from '../domain/context';
import { FULL_PAGE_BYTES } from '../domain/events/event-reads';
import { bearerContext } from './bearer';
import { createRateLimiter, type RateLimiter } from './rate-limit';
import { handleRest } from './rest';
import { MAX_TRPC_BATCH, serveTrpc, TRPC_ENDPOINT } from './trpc-handler';

/**
 * What keeps one tenant (or one client) from taking the service down for everyone: a tRPC batch
 * holds at most 20 calls; a `full` event page stops at about 2 MB of payload; a request without
 * credentials is answered 401 before its body is read; a batch publish costs one rate-limit token
 * per event; platform keys are not rate limited unless configured.
 */
let api: ApiBed;
let ctx: TestCtx;
let rest: Rest;
let platformKey: string;

const CEILING = 50;
const TOTAL = 120;

beforeAll(async () => {
  api = await startApi('api_abuse', { subscriptionMaxInFlight: CEILING, customerMaxInFlightTotal: TOTAL });
  ({ ctx, rest, platformKey } = api);
});

afterAll(() => api?.stop());

let n = 0;
const freshCustomer = () => createTenant(rest, platformKey, `Tenant ${++n}`, { name: 'first' });

/** Counts the tokens taken, so a test can tell whether any call ran. */
function countingLimiter(): RateLimiter & { taken: number } {
  const inner = roomyLimiter();
  const l = {
    taken: 0,
    check(caller: Parameters<RateLimiter['check']>[0], now?: number, cost = 1) {
      l.taken += cost;
      inner.check(caller, now, cost);
    },
  };
  return l;
}

function trpc(req: Request, rateLimiter: RateLimiter = roomyLimiter()) {
  return serveTrpc(req, () => bearerContext(ctx, req, { baseUrl: BASE_URL, rateLimiter }), {
    maxBodyBytes: ctx.config.maxBatchBytes,
  });
}

describe('tRPC batch size', () => {
  it(`refuses a batch of more than ${MAX_TRPC_BATCH} calls with 400 before running any`, async () => {
    const c = await freshCustomer();
    const limiter = countingLimiter();
    const calls = MAX_TRPC_BATCH + 1;
    const paths = Array.from({ length: calls }, () => 'events.publish').join(',');
    const input = Object.fromEntries(
      Array.from({ length: calls }, (_, i) => [i, { type: 'order.created', data: { i } }]),
    );
    const before = await snapshot(ctx);
    const res = await trpc(
      new Request(`${BASE_URL}${TRPC_ENDPOINT}/${paths}?batch=1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      }),
      limiter,
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as Array<{ error: { message: string; data: Record<string, unknown> } }>;
    expect(body).toHaveLength(calls);
    expect(body[0]!.error.message).toContain(`at most ${MAX_TRPC_BATCH} calls`);
    expect(body[0]!.error.data).toMatchObject({ httpStatus: 400, errorCode: 'bad_request' });
    expect(limiter.taken).toBe(0);
    expect(await snapshot(ctx)).toEqual(before);
  });

  it('refuses a GET batch of 250 list calls the same way, and answers a batch of 20', async () => {
    const c = await freshCustomer();
    const get = (calls: number) => {
      const paths = Array.from({ length: calls }, () => 'events.list').join(',');
      const input = Object.fromEntries(Array.from({ length: calls }, (_, i) => [i, { full: true, limit: 200 }]));
      return trpc(
        new Request(`${BASE_URL}${TRPC_ENDPOINT}/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`, {
          headers: { authorization: `Bearer ${c.key}` },
        }),
      );
    };
    expect((await get(250)).status).toBe(400);
    const fine = await get(MAX_TRPC_BATCH);
    expect(fine.status).toBe(200);
    expect(await fine.json()).toHaveLength(MAX_TRPC_BATCH);
  });
});

describe('a full event page is bounded by bytes', () => {
  it(`stops at about ${FULL_PAGE_BYTES} bytes of payload and goes on with nextCursor`, async () => {
    const c = await freshCustomer();
    const blob = 'x'.repeat(200 * 1024);
    const batch = Array.from({ length: 12 }, (_, i) => ({ type: 'blob.created', data: { i, blob } }));
    await ok(rest('POST', '/events/batch', { key: c.key, body: { events: batch } }), 202);
    // 12 events of ~200 KiB = ~2.4 MB: more than one page holds.
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { data: Array<{ payload: { data: { i: number } } }>; nextCursor: string | null } = await ok(
        rest('GET', '/events', { key: c.key, query: { full: 'true', limit: '200', ...(cursor && { cursor }) } }),
      );
      const bytes = JSON.stringify(res.data.map((e) => e.payload)).length;
      expect(bytes).toBeLessThanOrEqual(FULL_PAGE_BYTES + 1024);
      seen.push(...res.data.map((e) => e.payload.data.i));
      cursor = res.nextCursor;
      pages++;
      if (pages === 1) expect(cursor).not.toBeNull();
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen.sort((a, b) => a - b)).toEqual(batch.map((e) => e.data.i));
  });

  it('returns one event per page even when one alone is above the bound', async () => {
    const c = await freshCustomer();
    const events = await ok(rest('GET', '/events', { key: c.key, query: { full: 'true' } }));
    expect(events.data).toEqual([]);
    await ok(rest('POST', '/events', { key: c.key, body: { type: 'a.b', data: { small: true } } }), 202);
    const page = await ok(rest('GET', '/events', { key: c.key, query: { full: 'true' } }));
    expect(page.data).toHaveLength(1);
    expect(page.data[0].payload.data).toEqual({ small: true });
    expect(page.nextCursor).toBeNull();
  });
});

describe('an audit log page is bounded by bytes', () => {
  it(`stops at about ${FULL_PAGE_BYTES} bytes of before/after and goes on with nextCursor`, async () => {
    const c = await freshCustomer();
    const big = 'y'.repeat(300 * 1024);
    for (let i = 0; i < 8; i++) {
      await recordAudit(ctx, ctx.db, customerScope(c.id), {
        customerId: c.id,
        action: 'subscription.updated',
        target: { kind: 'subscription', id: `sub_${i}` },
        before: { description: `${i}${big}` },
        after: { description: `${i}` },
      });
    }
    const targets: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { data: Array<{ target: { id: string } }>; nextCursor: string | null } = await ok(
        rest('GET', '/audit-log', { key: c.key, query: { limit: '200', ...(cursor && { cursor }) } }),
      );
      expect(JSON.stringify(res.data).length).toBeLessThanOrEqual(FULL_PAGE_BYTES + 64 * 1024);
      targets.push(...res.data.map((e) => e.target.id));
      cursor = res.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(targets.filter((t) => t.startsWith('sub_')).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `sub_${i}`));
  });
});

/**
 * Declares an 8 MiB body, sends its first 64 KiB, and waits for the answer without sending the rest:
 * only a server that answers before reading the body answers at all.
 */
function postUnfinished(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(8 * 1024 * 1024) },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
        req.destroy();
      });
    });
    req.on('error', reject);
    // A server that waits for the whole body never answers: fail then, not at the test's timeout.
    setTimeout(() => reject(new Error('no answer while the body was unsent')), 10_000).unref();
    req.write('{"events":[' + ' '.repeat(64 * 1024));
  });
}

describe('401 before the body is read', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  it('over REST: a POST without a key is answered 401 while its 8 MiB body is still unsent', async () => {
    const { server, port } = await serveDoor((req) =>
      handleRest(req, new URL(req.url).pathname.replace(/^\/api\/v1/, ''), ctx, BASE_URL, {
        rateLimiter: roomyLimiter(),
      }),
    );
    servers.push(server);
    const res = await postUnfinished(port, '/api/v1/events/batch', {});
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'unauthorized' });
  });

  it('over tRPC: the same', async () => {
    const { server, port } = await serveDoor((req) => trpc(req));
    servers.push(server);
    const res = await postUnfinished(port, `${TRPC_ENDPOINT}/events.publishBatch`, {});
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error.data).toMatchObject({ errorCode: 'unauthorized' });
  });

  it('a wrong key is a 401 the same way', async () => {
    const { server, port } = await serveDoor((req) =>
      handleRest(req, new URL(req.url).pathname.replace(/^\/api\/v1/, ''), ctx, BASE_URL, {
        rateLimiter: roomyLimiter(),
      }),
    );
    servers.push(server);
    const res = await postUnfinished(port, '/api/v1/events/batch', { authorization: 'Bearer hr_not_a_key' });
    expect(res.status).toBe(401);
  });
});

describe('rate limits as integrators expect them', () => {
  const tight = () => createRateLimiter({ perSecond: 0.01, burst: 3, perCustomer: { perSecond: 0.01, burst: 600 } });

  it('does not limit a platform key by default, at a burst well beyond the per-key limit', async () => {
    const limited = restClient(ctx, { rateLimiter: tight() });
    const c = await freshCustomer();
    for (let i = 0; i < 20; i++) {
      const res = await limited('POST', '/events', {
        key: platformKey,
        body: { type: 'a.b', customerId: c.id, data: { i } },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
    }
    // A customer key on the same limiter still is limited.
    for (let i = 0; i < 3; i++) expect((await limited('GET', '/subscriptions', { key: c.key })).status).toBe(200);
    expect((await limited('GET', '/subscriptions', { key: c.key })).status).toBe(429);
  });

  it('limits a platform key when a platform rate is configured', async () => {
    const limited = restClient(ctx, {
      rateLimiter: createRateLimiter({ perSecond: 0.01, burst: 3, platform: { perSecond: 0.01, burst: 2 } }),
    });
    expect((await limited('GET', '/customers', { key: platformKey })).status).toBe(200);
    expect((await limited('GET', '/customers', { key: platformKey })).status).toBe(200);
    const res = await limited('GET', '/customers', { key: platformKey });
    expect(res.status).toBe(429);
    expect(res.body.error.message).toContain('per-platform-key');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('charges a customer batch one token per event', async () => {
    const c = await freshCustomer();
    const limiter = countingLimiter();
    const limitedRest = restClient(ctx, { rateLimiter: limiter });
    const events = Array.from({ length: 500 }, (_, i) => ({ type: 'a.b', data: { i } }));
    await ok(limitedRest('POST', '/events/batch', { key: c.key, body: { events } }), 202);
    expect(limiter.taken).toBe(500);

    // A bucket of 600 lets the first 500 through and refuses the next 500, naming the cost.
    const bucket = restClient(ctx, {
      rateLimiter: createRateLimiter({ perSecond: 0.01, burst: 600, perCustomer: { perSecond: 0.01, burst: 10_000 } }),
    });
    await ok(bucket('POST', '/events/batch', { key: c.key, body: { events } }), 202);
    const before = await snapshot(ctx);
    const refused = await bucket('POST', '/events/batch', { key: c.key, body: { events } });
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toContain('costs 500 tokens');
    expect(await snapshot(ctx)).toEqual(before);
  });

  it('lets a batch larger than the burst through a full bucket, leaving it in debt', () => {
    const limiter = createRateLimiter({ perSecond: 100, burst: 400 });
    limiter.check('k', 0, 500);
    expect(() => limiter.check('k', 0)).toThrow(/try again in 2 seconds/);
    expect(() => limiter.check('k', 1010)).not.toThrow();
  });
});

describe("a subscription's window (maxInFlight)", () => {
  const sub = (key: string, maxInFlight?: number, customerId?: string) =>
    rest('POST', '/subscriptions', {
      key,
      body: {
        url: 'http://127.0.0.1:9/hook',
        eventTypes: ['*'],
        ...(maxInFlight !== undefined && { maxInFlight }),
        ...(customerId && { customerId }),
      },
    });

  it('may be at most the platform ceiling: above it is a 400 naming the field, and nothing changes', async () => {
    const c = await freshCustomer();
    const before = await snapshot(ctx);
    const res = await sub(c.key, CEILING + 1);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'bad_request', field: 'maxInFlight' });
    expect(res.body.error.message).toContain(`at most ${CEILING} (SUBSCRIPTION_MAX_IN_FLIGHT)`);
    expect(await snapshot(ctx)).toEqual(before);
    // Platform keys too: the ceiling protects the queue every customer shares.
    expect((await sub(platformKey, CEILING + 1, c.id)).status).toBe(400);
    const made = await ok(sub(c.key), 201);
    expect(made.maxInFlight).toBe(10);
    expect(
      (
        await rest('PATCH', '/subscriptions/{id}', {
          key: c.key,
          params: { id: made.id },
          body: { maxInFlight: CEILING + 1 },
        })
      ).status,
    ).toBe(400);
  });

  it("a customer's windows add up to at most the total: past it a 409 naming the field and the room left", async () => {
    const c = await freshCustomer();
    const first = await ok(sub(c.key, CEILING), 201);
    await ok(sub(c.key, CEILING), 201);
    const before = await snapshot(ctx);
    const refused = await sub(c.key, CEILING);
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'conflict', field: 'maxInFlight' });
    expect(refused.body.error.message).toContain(`${TOTAL - 2 * CEILING} remain`);
    expect(refused.body.error.message).toContain('CUSTOMER_MAX_IN_FLIGHT_TOTAL');
    expect(await snapshot(ctx)).toEqual(before);
    await ok(sub(c.key, TOTAL - 2 * CEILING), 201);
    // Raising one window needs room too; lowering one makes room.
    expect(
      (
        await rest('PATCH', '/subscriptions/{id}', {
          key: c.key,
          params: { id: first.id },
          body: { maxInFlight: CEILING },
        })
      ).status,
    ).toBe(200);
    expect((await sub(c.key, 1)).status).toBe(409);
    await ok(rest('PATCH', '/subscriptions/{id}', { key: c.key, params: { id: first.id }, body: { maxInFlight: 40 } }));
    expect((await sub(c.key, 10)).status).toBe(201);
  });

  it('an older row above the ceiling is admitted no more than the ceiling at once', async () => {
    const c = await freshCustomer();
    const made = await ok(sub(c.key), 201);
    await ctx.db.update(subscriptions).set({ maxInFlight: 1000 }).where(eq(subscriptions.id, made.id));
    const room = await windowRoom(ctx, ctx.db, [{ id: made.id, customerId: c.id }]);
    expect(room.get(made.id)?.room).toBe(CEILING);
  });
});

describe('daily event quota', () => {
  const QUOTA = 5;
  beforeAll(() => {
    ctx.config.customerMaxEventsPerDay = QUOTA;
  });
  afterAll(() => {
    ctx.config.customerMaxEventsPerDay = null;
  });
  const publish = (key: string, customerId?: string) =>
    rest('POST', '/events', { key, body: { type: 'a.b', data: {}, ...(customerId && { customerId }) } });

  it('refuses events past the quota with 429, Retry-After and a reason naming it; other customers go on', async () => {
    const c = await freshCustomer();
    const other = await freshCustomer();
    for (let i = 0; i < QUOTA; i++) await ok(publish(c.key), 202);
    const before = await snapshot(ctx);
    const refused = await publish(c.key);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited' });
    expect(refused.body.error.message).toContain(`at most ${QUOTA} events per UTC day (CUSTOMER_MAX_EVENTS_PER_DAY)`);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    // The platform publishing on the customer's behalf counts against the same quota.
    expect((await publish(platformKey, c.id)).status).toBe(429);
    expect(await snapshot(ctx)).toEqual(before);
    await ok(publish(other.key), 202);
  });

  it('a batch past the quota: the events within it are accepted, the rest refused one by one', async () => {
    const c = await freshCustomer();
    for (let i = 0; i < QUOTA - 2; i++) await ok(publish(c.key), 202);
    const res = await ok(
      rest('POST', '/events/batch', {
        key: c.key,
        body: { events: [1, 2, 3, 4].map((i) => ({ type: 'a.b', data: { i } })) },
      }),
      202,
    );
    expect(res.results.map((r: { id?: string; error?: { code: string } }) => r.error?.code ?? 'ok')).toEqual([
      'ok',
      'ok',
      'rate_limited',
      'rate_limited',
    ]);
  });

  it('the usage API shows the quotas and how much of each is used', async () => {
    const c = await freshCustomer();
    await ok(
      rest('POST', '/subscriptions', {
        key: c.key,
        body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'], maxInFlight: 7 },
      }),
      201,
    );
    for (let i = 0; i < 2; i++) await ok(publish(c.key), 202);
    const usage = await ok(rest('GET', '/usage', { key: c.key }));
    expect(usage.quotas).toEqual({
      eventsPerDay: { limit: QUOTA, used: 2 },
      inFlightTotal: { limit: TOTAL, used: 7 },
      storedBytes: { limit: null, used: usage.totals.bytesPublished },
    });
    const all = await ok(rest('GET', '/usage', { key: platformKey }));
    expect(all.quotas.eventsPerDay).toEqual({ limit: QUOTA, used: null });
  });
});

describe('stored-bytes quota', () => {
  const QUOTA = 2000;
  beforeAll(() => {
    ctx.config.customerMaxStoredBytes = QUOTA;
  });
  afterAll(() => {
    ctx.config.customerMaxStoredBytes = null;
  });
  /** An event of about `size` stored bytes (its body is `{"id","type","timestamp","data"}`, ~100 bytes besides the padding). */
  const event = (size: number, customerId?: string) => ({
    type: 'a.b',
    data: { pad: 'x'.repeat(size - 100) },
    ...(customerId && { customerId }),
  });
  const stored = async (key: string) =>
    (await ok(rest('GET', '/usage', { key }))).quotas.storedBytes as { limit: number; used: number };

  it('refuses a publish that would go past it with 413 naming the quota, storing nothing; other customers go on', async () => {
    const c = await freshCustomer();
    const other = await freshCustomer();
    await ok(rest('POST', '/events', { key: c.key, body: event(900) }), 202);
    await ok(rest('POST', '/events', { key: c.key, body: event(900) }), 202);
    const used = (await stored(c.key)).used;
    expect(used).toBeGreaterThan(1700);
    expect(used).toBeLessThanOrEqual(QUOTA);
    // Every event's body has the same bytes besides its padding: an event of exactly n stored bytes is event(n - off).
    const off = used / 2 - 900;
    const before = await snapshot(ctx);
    const refused = await rest('POST', '/events', { key: c.key, body: event(QUOTA - used + 1 - off) });
    expect(refused.status, JSON.stringify(refused.body)).toBe(413);
    expect(refused.body.error).toMatchObject({ code: 'payload_too_large' });
    expect(refused.body.error.message).toContain(
      `stored-bytes quota reached: this customer stores at most ${QUOTA} bytes of events (CUSTOMER_MAX_STORED_BYTES)`,
    );
    expect(refused.body.error.message).toContain(`it published ${used} bytes`);
    // The platform publishing on the customer's behalf counts against the same quota.
    expect(
      (await rest('POST', '/events', { key: platformKey, body: event(QUOTA - used + 1 - off, c.id) })).status,
    ).toBe(413);
    expect(await snapshot(ctx)).toEqual(before);
    expect((await stored(c.key)).used).toBe(used);
    // What still fits is accepted, up to the quota exactly.
    await ok(rest('POST', '/events', { key: c.key, body: event(QUOTA - used - off) }), 202);
    expect(await stored(c.key)).toEqual({ limit: QUOTA, used: QUOTA });
    await ok(rest('POST', '/events', { key: other.key, body: event(900) }), 202);
  });

  it('a batch past it: the events that fit are accepted, each one past it refused in its own result', async () => {
    const c = await freshCustomer();
    const res = await ok(
      rest('POST', '/events/batch', { key: c.key, body: { events: [event(800), event(800), event(800), event(300)] } }),
      202,
    );
    const results = res.results as Array<{ id?: string; error?: { code: string; reason: string } }>;
    expect(results.map((r) => r.error?.code ?? 'ok')).toEqual(['ok', 'ok', 'payload_too_large', 'ok']);
    expect(results[2]!.error!.reason).toContain('CUSTOMER_MAX_STORED_BYTES');
    const { used } = await stored(c.key);
    expect(used).toBeGreaterThan(1800);
    expect(used).toBeLessThanOrEqual(QUOTA);
    const listed = await ok(rest('GET', '/events', { key: c.key }));
    expect(listed.data).toHaveLength(3);
  });

  it('counts the bytes published over the retained days only', async () => {
    const c = await freshCustomer();
    const today = ctx.now();
    const daysAgo = (n: number) => new Date(today.getTime() - n * 86400_000).toISOString().slice(0, 10);
    // Published within retention (RETENTION_DAYS ago, counting today as one) and before it.
    const within = Math.ceil(ctx.config.retentionDays) - 1;
    await rawClient(
      ctx.db,
    )`insert into usage_daily (customer_id, day, bytes_published) values (${c.id}, ${daysAgo(within)}::date, 500), (${c.id}, ${daysAgo(within + 1)}::date, 100000)`;
    expect((await stored(c.key)).used).toBe(500);
    await ok(rest('POST', '/events', { key: c.key, body: event(1400) }), 202);
    expect((await rest('POST', '/events', { key: c.key, body: event(200) })).status).toBe(413);
  });

  it('the usage API shows the quota with what is used; every customer in view, no used', async () => {
    const c = await freshCustomer();
    expect(await stored(c.key)).toEqual({ limit: QUOTA, used: 0 });
    await ok(rest('POST', '/events', { key: c.key, body: event(500) }), 202);
    const usage = await ok(rest('GET', '/usage', { key: c.key }));
    expect(usage.quotas.storedBytes).toEqual({ limit: QUOTA, used: usage.totals.bytesPublished });
    expect(usage.totals.bytesPublished).toBeGreaterThan(400);
    const all = await ok(rest('GET', '/usage', { key: platformKey }));
    expect(all.quotas.storedBytes).toEqual({ limit: QUOTA, used: null });
  });
});
