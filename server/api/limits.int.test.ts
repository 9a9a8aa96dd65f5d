import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASE_URL,
  restClient,
  roomyLimiter,
  serveDoor,
  snapshot,
  trpcClient,
  type Json,
} from '../../tests/support/api';
import { createTenant, ok, startApi } from '../../tests/support/api-world';
import { fileScoped } from '../../tests/support/file-scoped';
import { bearerContext } from './bearer';
import { createRateLimiter } from './rate-limit';
import { serveTrpc, TRPC_ENDPOINT } from './trpc-handler';

/**
 * What one customer can take from the service: a cap on its own active API keys and subscriptions
 * (409 naming the limit, nothing created), one rate bucket for the customer besides each key's (more
 * keys buy no more throughput), and request bodies bounded as they stream (a chunked tRPC body that
 * declares no length is refused with 413, not read whole).
 */
const MAX_KEYS = 3;
const MAX_SUBS = 2;
const api = fileScoped(() =>
  startApi('api_limits', { customerMaxApiKeys: MAX_KEYS, customerMaxSubscriptions: MAX_SUBS }),
);

let n = 0;
const freshCustomer = () => createTenant(api.rest, api.platformKey, `Limited ${++n}`, { name: 'first' });

const newKey = (c: { id: string; key: string }, key = c.key) =>
  api.rest('POST', '/customers/{id}/api-keys', { key, params: { id: c.id }, body: { name: 'more' } });
const newSub = (key: string, i: number, customerId?: string) =>
  api.rest('POST', '/subscriptions', {
    key,
    body: { url: `http://127.0.0.1:9/hook/${i}`, eventTypes: ['*'], ...(customerId && { customerId }) },
  });

describe('per-customer cap on active API keys', () => {
  it('refuses a key past the cap with 409 naming the limit, and creates nothing', async () => {
    const c = await freshCustomer();
    for (let i = 1; i < MAX_KEYS; i++) expect((await newKey(c)).status).toBe(201);
    const before = await snapshot(api.ctx);
    const refused = await newKey(c);
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'conflict' });
    expect(refused.body.error.message).toContain(`at most ${MAX_KEYS} active API keys`);
    expect(refused.body.error.message).toContain('CUSTOMER_MAX_API_KEYS');
    expect(await snapshot(api.ctx)).toEqual(before);

    // Over tRPC, the same refusal.
    const err = await trpcClient(api.ctx, c.key)
      .customers.createApiKey.mutate({ id: c.id })
      .then(
        () => null,
        (e: unknown) => e as Json,
      );
    expect(err?.data).toMatchObject({ httpStatus: 409, code: 'CONFLICT', errorCode: 'conflict' });
  });

  it('counts only active keys: revoking one makes room', async () => {
    const c = await freshCustomer();
    const made = [];
    for (let i = 1; i < MAX_KEYS; i++) made.push(await ok(newKey(c), 201));
    expect((await newKey(c)).status).toBe(409);
    await ok(api.rest('DELETE', '/api-keys/{id}', { key: c.key, params: { id: made[0].id } }));
    expect((await newKey(c)).status).toBe(201);
  });

  it('holds under concurrent requests: exactly the cap is reached', async () => {
    const c = await freshCustomer();
    const results = await Promise.all(Array.from({ length: 8 }, () => newKey(c)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(MAX_KEYS - 1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(8 - (MAX_KEYS - 1));
    const keys = await ok(api.rest('GET', '/customers/{id}/api-keys', { key: api.platformKey, params: { id: c.id } }));
    expect(keys.data).toHaveLength(MAX_KEYS);
  });

  it("does not cap the platform, which provisions on the operator's behalf", async () => {
    const c = await freshCustomer();
    for (let i = 0; i < MAX_KEYS + 1; i++) expect((await newKey(c, api.platformKey)).status).toBe(201);
  });
});

describe('per-customer cap on subscriptions', () => {
  it('refuses a subscription past the cap with 409 naming the limit; deleting one makes room', async () => {
    const c = await freshCustomer();
    const subs = [];
    for (let i = 0; i < MAX_SUBS; i++) subs.push(await ok(newSub(c.key, i), 201));
    const before = await snapshot(api.ctx);
    const refused = await newSub(c.key, 99);
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error.message).toContain(`at most ${MAX_SUBS} subscriptions`);
    expect(refused.body.error.message).toContain('CUSTOMER_MAX_SUBSCRIPTIONS');
    expect(await snapshot(api.ctx)).toEqual(before);

    const err = await trpcClient(api.ctx, c.key)
      .subscriptions.create.mutate({ url: 'http://127.0.0.1:9/t', eventTypes: ['*'] })
      .then(
        () => null,
        (e: unknown) => e as Json,
      );
    expect(err?.data).toMatchObject({ httpStatus: 409, errorCode: 'conflict' });

    await ok(api.rest('DELETE', '/subscriptions/{id}', { key: c.key, params: { id: subs[0].id } }));
    expect((await newSub(c.key, 100)).status).toBe(201);
  });

  it('holds under concurrent requests', async () => {
    const c = await freshCustomer();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => newSub(c.key, i)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(MAX_SUBS);
    expect(results.filter((r) => r.status === 409)).toHaveLength(6 - MAX_SUBS);
  });

  it('does not cap the platform', async () => {
    const c = await freshCustomer();
    for (let i = 0; i < MAX_SUBS + 1; i++) expect((await newSub(api.platformKey, i, c.id)).status).toBe(201);
  });
});

describe('per-customer rate bucket', () => {
  it("is shared by all of a customer's keys: another key buys no more requests", async () => {
    const limited = restClient(api.ctx, {
      rateLimiter: createRateLimiter({ perSecond: 0.01, burst: 100, perCustomer: { perSecond: 0.01, burst: 3 } }),
    });
    const c = await freshCustomer();
    const second = (await ok(newKey(c), 201)).key as string;
    const other = await freshCustomer();

    expect((await limited('GET', '/subscriptions', { key: c.key })).status).toBe(200);
    expect((await limited('GET', '/subscriptions', { key: c.key })).status).toBe(200);
    expect((await limited('GET', '/subscriptions', { key: second })).status).toBe(200);
    for (const key of [second, c.key]) {
      const res = await limited('GET', '/subscriptions', { key });
      expect(res.status).toBe(429);
      expect(res.body.error).toMatchObject({ code: 'rate_limited' });
      expect(res.body.error.message).toContain('per-customer');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // Another customer has a bucket of its own.
    expect((await limited('GET', '/subscriptions', { key: other.key })).status).toBe(200);
  });

  it('a refusal by one bucket spends nothing from the other', () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 1, perCustomer: { perSecond: 1, burst: 2 } });
    limiter.check({ principalId: 'k1', customerId: 'c' }, 0);
    expect(() => limiter.check({ principalId: 'k1', customerId: 'c' }, 0)).toThrow(/per-key/);
    // k1's refusal left the customer one token, which k2 gets.
    expect(() => limiter.check({ principalId: 'k2', customerId: 'c' }, 0)).not.toThrow();
    expect(() => limiter.check({ principalId: 'k3', customerId: 'c' }, 0)).toThrow(/per-customer/);
  });
});

describe('tRPC body limit with a chunked body', () => {
  const LIMIT = 64 * 1024;

  /** A JSON body of `total` bytes that declares no length, and how much of it was pulled. */
  function chunkedBody(total: number) {
    const chunk = 16 * 1024;
    const head = Buffer.from('{"type":"blob.created","data":{"blob":"');
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= total) return controller.close();
        const part =
          sent === 0 ? Buffer.concat([head, Buffer.alloc(chunk - head.length, 'x')]) : Buffer.alloc(chunk, 'x');
        sent += part.length;
        controller.enqueue(new Uint8Array(part));
      },
    });
    return { stream, pulled: () => sent };
  }

  it('answers 413 to a chunked body above the limit, in the handler, without reading it whole', async () => {
    const c = await freshCustomer();
    const body = chunkedBody(4 * 1024 * 1024);
    const req = new Request(`${BASE_URL}${TRPC_ENDPOINT}/events.publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.key}`, 'content-type': 'application/json' },
      body: body.stream,
      duplex: 'half',
    } as RequestInit);
    expect(req.headers.get('content-length')).toBeNull();
    const before = await snapshot(api.ctx);
    const res = await serveTrpc(
      req,
      () => bearerContext(api.ctx, req, { baseUrl: BASE_URL, rateLimiter: roomyLimiter() }),
      { maxBodyBytes: LIMIT },
    );
    expect(res.status).toBe(413);
    expect((await res.json()).error.data).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', errorCode: 'payload_too_large' });
    expect(body.pulled()).toBeLessThan(LIMIT * 2);
    expect(await snapshot(api.ctx)).toEqual(before);
  });

  describe('over real HTTP', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      let port: number;
      ({ server, port } = await serveDoor((request) =>
        serveTrpc(request, () => bearerContext(api.ctx, request, { baseUrl: BASE_URL, rateLimiter: roomyLimiter() }), {
          maxBodyBytes: LIMIT,
        }),
      ));
      url = `http://127.0.0.1:${port}${TRPC_ENDPOINT}/events.publish`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    });

    it('answers 413 to a chunked body (Transfer-Encoding: chunked, no Content-Length)', async () => {
      const c = await freshCustomer();
      const body = chunkedBody(1024 * 1024);
      const before = await snapshot(api.ctx);
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.key}`, 'content-type': 'application/json' },
        body: body.stream,
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(413);
      expect((await res.json()).error.data).toMatchObject({ errorCode: 'payload_too_large' });
      expect(await snapshot(api.ctx)).toEqual(before);
    });

    it('still accepts a chunked body under the limit', async () => {
      const c = await freshCustomer();
      const payload = new TextEncoder().encode(
        JSON.stringify({ type: 'blob.created', data: { blob: 'y'.repeat(1000) } }),
      );
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(payload.slice(0, 10));
          controller.enqueue(payload.slice(10));
          controller.close();
        },
      });
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.key}`, 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      expect(res.status, await res.clone().text()).toBe(200);
      expect((await res.json()).result.data).toMatchObject({ id: expect.stringMatching(/^evt_/) });
    });
  });
});
