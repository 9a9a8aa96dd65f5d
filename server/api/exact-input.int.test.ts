import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../../drizzle/schema';
import { BASE_URL, expectUnchanged, roomyLimiter, trpcClient, type Json, type Rest } from '../../tests/support/api';
import { createTenant, ok, startApiEngine, type ApiEngine } from '../../tests/support/api-world';
import { expectVerified } from '../../tests/support/engine';
import { bearerContext } from './bearer';
import { serveTrpc } from './trpc-handler';

/**
 * Input exactness and hostile input on every JSON door: numbers reach receivers with the text they
 * were published with; JSON deeper than 64 levels, NUL bytes and lone surrogates are a 400 naming the
 * field; an unexpected failure answers only a code and a request id.
 */
let engine: ApiEngine;
let rest: Rest;
let platformKey: string;
let cust: { id: string; key: string };

const BIG = '9007199254740993';
const rawJSON = (s: string) => (JSON as unknown as { rawJSON(s: string): unknown }).rawJSON(s);

beforeAll(async () => {
  engine = await startApiEngine('exact_input', { retryTimeScale: 0.001 });
  ({ rest, platformKey } = engine);
  cust = await createTenant(rest, platformKey, 'Exact');
});

afterAll(async () => {
  await engine?.stop();
});

const unchanged = <T>(fn: () => Promise<T>) => expectUnchanged(engine.ctx, fn);

function expect400(res: { status: number; body: Json }, field: string, reason: RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe('bad_request');
  expect(res.body.error.field).toBe(field);
  expect(res.body.error.message).toMatch(reason);
}

async function storedBody(id: string): Promise<string> {
  const [row] = await engine.ctx.db.select({ body: events.body }).from(events).where(eq(events.id, id));
  return row!.body;
}

async function subscribe(body: string) {
  const r = await engine.receiver();
  const sub = await ok(
    rest('POST', '/subscriptions', { key: cust.key, rawBody: body.replace('URL', `${r.url}/hook`) }),
    201,
  );
  return { r, sub };
}

describe('numbers reach receivers exactly as published', () => {
  it('REST publish: stored, delivered (signed) and read back with the published number texts', async () => {
    const { r, sub } = await subscribe('{"url":"URL","eventTypes":["bigint.test"]}');
    const data = `{"orderId":${BIG},"huge":1e400,"long":12345678901234567890123,"one":1.0}`;
    const ev = await ok(
      rest('POST', '/events', { key: cust.key, rawBody: `{"type":"bigint.test","data":${data}}` }),
      202,
    );
    expect(await storedBody(ev.id)).toContain(`"data":${data}`);
    await r.waitFor(1);
    expect(r.received[0]!.body).toContain(`"data":${data}`);
    expectVerified(r.received, sub.secret);
    // Reads show the same texts (the REST client here parses with JSON.parse, so look at the raw answer).
    const read = await fetchText(`/events/${ev.id}`);
    expect(read).toContain(`"orderId":${BIG}`);
    expect(read).toContain('"huge":1e400');
  });

  it('batch publish keeps them too', async () => {
    const out = await ok(
      rest('POST', '/events/batch', {
        key: cust.key,
        rawBody: `{"events":[{"type":"bigint.batch","data":{"orderId":${BIG}}}]}`,
      }),
      202,
    );
    expect(await storedBody(out.results[0].id)).toContain(`"orderId":${BIG}`);
  });

  it('tRPC publish keeps them too', async () => {
    const client = trpcClient(engine.ctx, cust.key);
    const ev = await client.events.publish.mutate({ type: 'bigint.trpc', data: { orderId: rawJSON(BIG) } });
    expect(await storedBody(ev.id)).toContain(`"orderId":${BIG}`);
  });

  it('a payload filter on a big number matches only that exact number, and $gt compares exactly', async () => {
    const exact = await subscribe(`{"url":"URL","eventTypes":["bigint.filter"],"filter":{"data.orderId":${BIG}}}`);
    const above = await subscribe(
      '{"url":"URL","eventTypes":["bigint.filter"],"filter":{"data.orderId":{"$gt":9007199254740992}}}',
    );
    // Stored and read back exactly.
    expect(await fetchText(`/subscriptions/${exact.sub.id}`)).toContain(`"data.orderId":${BIG}`);
    const near = await ok(
      rest('POST', '/events', {
        key: cust.key,
        rawBody: '{"type":"bigint.filter","data":{"orderId":9007199254740992}}',
      }),
      202,
    );
    expect(near.deliveries).toBe(0);
    const hit = await ok(
      rest('POST', '/events', { key: cust.key, rawBody: `{"type":"bigint.filter","data":{"orderId":${BIG}}}` }),
      202,
    );
    expect(hit.deliveries).toBe(2);
    await exact.r.waitFor(1);
    await above.r.waitFor(1);
    expect(exact.r.received[0]!.body).toContain(`"orderId":${BIG}`);
  });

  it('the event-type schema validates big numbers at publish', async () => {
    await ok(
      rest('POST', '/event-types', {
        key: platformKey,
        body: {
          name: 'bigint.schema',
          schema: { type: 'object', properties: { orderId: { type: 'integer' }, note: { type: 'string' } } },
        },
      }),
      201,
    );
    const okEv = await ok(
      rest('POST', '/events', {
        key: cust.key,
        rawBody: `{"type":"bigint.schema","data":{"orderId":${BIG},"note":"x"}}`,
      }),
      202,
    );
    expect(await storedBody(okEv.id)).toContain(`"orderId":${BIG}`);
    const bad = await unchanged(() =>
      rest('POST', '/events', {
        key: cust.key,
        rawBody: `{"type":"bigint.schema","data":{"orderId":${BIG},"note":1e400}}`,
      }),
    );
    expect400(bad, 'data.note', /must be string/);
  });
});

async function fetchText(path: string): Promise<string> {
  const { handleRest } = await import('./rest');
  const res = await handleRest(
    new Request(`${BASE_URL}/api/v1${path}`, { headers: { authorization: `Bearer ${cust.key}` } }),
    path,
    engine.ctx,
    BASE_URL,
  );
  expect(res.status).toBe(200);
  return res.text();
}

const deep = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

describe('nesting deeper than 64 levels', () => {
  it('is a 400 on a REST body (5,000 levels: no stack overflow)', async () => {
    const res = await unchanged(() =>
      rest('POST', '/events', { key: cust.key, rawBody: `{"type":"deep.one","data":${deep(5000)}}` }),
    );
    expect400(res, 'data.a.a', /64 levels/);
  });

  it('is a 400 in a filter, a schema and an example', async () => {
    const res = await unchanged(() =>
      rest('POST', '/subscriptions', {
        key: cust.key,
        rawBody: `{"url":"http://127.0.0.1:9/x","eventTypes":["*"],"filter":${deep(70)}}`,
      }),
    );
    expect400(res, 'filter.a.a', /64 levels/);
  });

  it('is a 400 on a tRPC body and a tRPC ?input=', async () => {
    const post = await callTrpc('events.publish', 'POST', `{"type":"deep.one","data":${deep(5000)}}`);
    expect(post.status).toBe(400);
    expect(post.body.error.message).toMatch(/64 levels/);
    expect(post.body.error.data.field).toBe('data.a.a');
    const get = await callTrpc('events.list', 'GET', deep(5000));
    expect(get.status).toBe(400);
    expect(get.body.error.message).toMatch(/64 levels/);
    expect(JSON.stringify(get.body)).not.toMatch(/call stack/);
  });
});

async function callTrpc(path: string, method: 'GET' | 'POST', input: string): Promise<{ status: number; body: Json }> {
  const url = `${BASE_URL}/api/trpc/${path}${method === 'GET' ? `?input=${encodeURIComponent(input)}` : ''}`;
  const req = new Request(url, {
    method,
    headers: { authorization: `Bearer ${cust.key}`, 'content-type': 'application/json' },
    ...(method === 'POST' && { body: input }),
  });
  const res = await serveTrpc(
    req,
    () => bearerContext(engine.ctx, req, { baseUrl: BASE_URL, rateLimiter: roomyLimiter() }),
    {
      maxBodyBytes: engine.ctx.config.maxPayloadBytes,
    },
  );
  return { status: res.status, body: await res.json() };
}

describe('NUL bytes and lone surrogates', () => {
  it('are a 400 naming the field, storing nothing', async () => {
    const sub = (extra: string) =>
      rest('POST', '/subscriptions', {
        key: cust.key,
        rawBody: `{"url":"http://127.0.0.1:9/x","eventTypes":["*"],${extra}}`,
      });
    expect400(await unchanged(() => sub('"description":"a\\u0000b"')), 'description', /NUL/);
    expect400(await unchanged(() => sub('"description":"a\\ud800b"')), 'description', /lone surrogate/);
    expect400(await unchanged(() => sub('"filter":{"data.name":"\\ud800"}')), 'filter.data.name', /lone surrogate/);
    expect400(
      await unchanged(() =>
        rest('POST', '/customers/{id}/api-keys', {
          key: platformKey,
          params: { id: cust.id },
          rawBody: '{"name":"k\\u0000"}',
        }),
      ),
      'name',
      /NUL/,
    );
    expect400(
      await unchanged(() =>
        rest('POST', '/events', {
          key: cust.key,
          rawBody: '{"type":"nul.test","data":{},"idempotencyKey":"k\\u0000"}',
        }),
      ),
      'idempotencyKey',
      /NUL/,
    );
    expect400(
      await unchanged(() => rest('GET', '/audit-log', { key: platformKey, query: { targetId: 'sub_\u0000' } })),
      'targetId',
      /NUL/,
    );
    expect400(
      await unchanged(() =>
        rest('POST', '/events', {
          key: cust.key,
          rawBody: '{"type":"nul.test","data":{"items":[{"sku":"a\\u0000"}]}}',
        }),
      ),
      'data.items.0.sku',
      /NUL/,
    );
    const batch = await unchanged(() =>
      ok(
        rest('POST', '/events/batch', {
          key: cust.key,
          rawBody: '{"events":[{"type":"nul.test","data":{"k\\ud800":1}}]}',
        }),
        202,
      ),
    );
    expect(batch.results[0].error).toMatchObject({ code: 'bad_request', field: 'data.k\ud800' });
  });

  it('are a 400 over tRPC too', async () => {
    const client = trpcClient(engine.ctx, cust.key);
    const err = await unchanged(() =>
      client.subscriptions.create
        .mutate({ url: 'http://127.0.0.1:9/x', eventTypes: ['*'], description: 'a\u0000b' })
        .then(
          () => null,
          (e: unknown) => e as Json,
        ),
    );
    expect(err?.data).toMatchObject({ code: 'BAD_REQUEST', field: 'description' });
  });
});

describe('an unexpected failure', () => {
  it('answers only a code and a request id, over REST and tRPC; the details go to the log', async () => {
    await engine.ctx.db.execute(sql`alter table subscriptions rename column description to description_gone`);
    try {
      const res = await rest('POST', '/subscriptions', {
        key: cust.key,
        body: { url: 'http://127.0.0.1:9/x', eventTypes: ['*'], description: 'd' },
      });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: 'internal', requestId: expect.stringMatching(/^req_/) } });
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(/insert|select|description|params/i);

      const trpc = await callTrpc(
        'subscriptions.create',
        'POST',
        JSON.stringify({ url: 'http://127.0.0.1:9/x', eventTypes: ['*'], description: 'd' }),
      );
      expect(trpc.status).toBe(500);
      expect(trpc.body.error.message).toBe('internal error');
      expect(trpc.body.error.data).toMatchObject({
        code: 'INTERNAL_SERVER_ERROR',
        errorCode: 'internal',
        requestId: expect.stringMatching(/^req_/),
      });
      expect(trpc.body.error.data.stack).toBeUndefined();
      expect(JSON.stringify(trpc.body)).not.toMatch(/insert|select|description_gone|params/i);
    } finally {
      await engine.ctx.db.execute(sql`alter table subscriptions rename column description_gone to description`);
    }
  });
});

describe('dates', () => {
  it('take an ISO 8601 string over REST and a Date over tRPC, and say what they expect otherwise', async () => {
    expect((await rest('GET', '/events', { key: cust.key, query: { from: '2026-01-01T00:00:00Z' } })).status).toBe(200);
    const bad = await rest('GET', '/events', { key: cust.key, query: { from: 'yesterday' } });
    expect400(bad, 'from', /^from: expected an ISO 8601 date-time/);
    const client = trpcClient(engine.ctx, cust.key);
    await expect(client.events.list.query({ from: new Date('2026-01-01T00:00:00Z') })).resolves.toBeTruthy();
  });
});
