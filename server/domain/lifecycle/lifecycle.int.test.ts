import { randomBytes } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, ok, startApiEngine, type ApiEngine } from '../../../tests/support/api-world';
import type { Json, Rest } from '../../../tests/support/api';
import { waitForStatus } from '../../../tests/support/engine';
import { startReceiver } from '../../../tests/support/receiver';
import { startTracing, stopTracing } from '../../tracing';
import { runRescrub } from './expunge';

/**
 * A customer's data lifecycle through the REST API, with a real worker and receiver: retention set
 * per customer (strict input), expunge of one event's payload (tenant scope, idempotence, replay
 * refused, pending deliveries ended) and of a whole customer's (a job with progress), and proof
 * that afterwards no table of the database, pg-boss's included, and no trace span holds the payload.
 */
const exporter = new InMemorySpanExporter();
let engine: ApiEngine;
let rest: Rest;
let platformKey: string;
let failing = false;
/** The receiver echoes a marker back in a response header and body (when the request carries one). */
let rx: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  await startTracing({ serviceName: 'hookrelay-test', spanProcessor: new SimpleSpanProcessor({ exporter }) });
  engine = await startApiEngine('lifecycle', { retryTimeScale: 1, retentionMaxDays: 400 }, 'platform');
  ({ rest, platformKey } = engine);
  rx = await startReceiver((req) => {
    const marker = /mk_[0-9a-f]{24}(-\w+)?/.exec(req.body)?.[0] ?? 'none';
    return {
      status: failing ? 500 : 200,
      headers: { 'x-echo': `${marker}-header` },
      body: `received ${marker}-response`,
    };
  });
});

afterAll(async () => {
  await stopTracing();
  await rx?.close();
  await engine?.stop();
});

async function tenant(name: string, eventTypes = ['*']) {
  const c = await createTenant(rest, platformKey, name, { name: 'ops' });
  const sub = await ok(
    rest('POST', '/subscriptions', {
      key: c.key,
      body: { url: `${rx.url}/hook`, eventTypes, retryPolicy: { scheduleSeconds: [3600] } },
    }),
    201,
  );
  return { id: c.id, key: c.key, subscriptionId: sub.id as string };
}

const marker = () => `mk_${randomBytes(12).toString('hex')}`;

async function publishDelivered(t: { key: string }, mark: string) {
  const ev = await ok(
    rest('POST', '/events', {
      key: t.key,
      body: { type: 'order.created', data: { note: mark, nested: { again: mark } } },
    }),
    202,
  );
  const d = await ok(rest('GET', '/deliveries', { key: t.key, query: { eventId: ev.id } }));
  const deliveryId = d.data[0].id as string;
  await waitForStatus(engine.ctx, deliveryId, failing ? 'pending' : 'succeeded');
  return { eventId: ev.id as string, deliveryId };
}

/** Every row of every text, json, jsonb or bytea column, in public and pgboss, that holds `needle`: "table.column" each. */
async function tablesHolding(needle: string): Promise<string[]> {
  const cols = await engine.ctx.db.execute<{ s: string; t: string; c: string }>(sql`
    select c.table_schema as s, c.table_name as t, c.column_name as c
    from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
    where c.table_schema in ('public', 'pgboss') and t.table_type = 'BASE TABLE'
      and c.data_type in ('text', 'json', 'jsonb', 'bytea', 'character varying')`);
  const found: string[] = [];
  for (const { s, t, c } of cols) {
    const [row] = await engine.ctx.db.execute<{ n: number }>(
      sql`select count(*)::int as n from ${sql.identifier(s)}.${sql.identifier(t)} where ${sql.identifier(c)}::text like ${`%${needle}%`}`,
    );
    if ((row?.n ?? 0) > 0) found.push(`${s}.${t}.${c}`);
  }
  return found;
}

const spansHolding = (needle: string) =>
  exporter
    .getFinishedSpans()
    .filter((s) => JSON.stringify({ a: s.attributes, e: s.events, n: s.name }).includes(needle));

describe('retention per customer through the API', () => {
  it('refuses 0, negative, fractional and 100-year retention with a 400 naming the field and range, and a customer key with 403; nothing changes', async () => {
    const t = await tenant('Retention input');
    for (const retentionDays of [0, -5, 1.5, 36500, '30']) {
      const r = await rest('PATCH', '/customers/{id}', {
        key: platformKey,
        params: { id: t.id },
        body: { retentionDays },
      });
      expect(r.status, String(retentionDays)).toBe(400);
      expect(r.body.error.field).toBe('retentionDays');
      expect(r.body.error.message).toMatch(/retentionDays/);
    }
    const tooLong = await rest('PATCH', '/customers/{id}', {
      key: platformKey,
      params: { id: t.id },
      body: { retentionDays: 401 },
    });
    expect(tooLong.body.error.message).toContain('from 1 to 400');
    expect(
      (await rest('PATCH', '/customers/{id}', { key: t.key, params: { id: t.id }, body: { retentionDays: 7 } })).status,
    ).toBe(403);
    expect(
      (
        await rest('PATCH', '/customers/{id}', {
          key: platformKey,
          params: { id: t.id },
          body: { retentionDays: 7, tier: 'x' },
        })
      ).status,
    ).toBe(400);
    expect(
      (await ok(rest('GET', '/customers/{id}', { key: platformKey, params: { id: t.id } }))).retentionDays,
    ).toBeNull();

    const changed = await ok(
      rest('PATCH', '/customers/{id}', { key: platformKey, params: { id: t.id }, body: { retentionDays: 7 } }),
    );
    expect(changed).toMatchObject({ id: t.id, retentionDays: 7 });
    const ev = await ok(rest('POST', '/events', { key: t.key, body: { type: 'order.created', data: {} } }), 202);
    const shown = await ok(rest('GET', '/events/{id}', { key: t.key, params: { id: ev.id } }));
    expect(Date.parse(shown.retentionUntil) - Date.parse(shown.createdAt)).toBe(7 * 86_400_000);
    const audit = await ok(rest('GET', '/audit-log', { key: platformKey, query: { customerId: t.id } }));
    expect(audit.data.find((e: Json) => e.action === 'customer.retention_changed')).toMatchObject({
      before: { retentionDays: null },
      after: { retentionDays: 7 },
    });
  });
});

describe('expunge of one event', () => {
  it("another customer's event is a 404 and stays whole; the owner's expunge is idempotent, shown, audited, and refuses replay", async () => {
    const a = await tenant('Expunge A');
    const b = await tenant('Expunge B');
    const mark = marker();
    const { eventId, deliveryId } = await publishDelivered(a, mark);

    const foreign = await rest('DELETE', '/events/{id}/payload', { key: b.key, params: { id: eventId } });
    expect(foreign.status).toBe(404);
    expect((await ok(rest('GET', '/events/{id}', { key: a.key, params: { id: eventId } }))).payload.data.note).toBe(
      mark,
    );
    expect(
      (await rest('DELETE', '/events/{id}/payload', { key: a.key, params: { id: 'evt_nope' } })).body.error.field,
    ).toBe('id');

    const first = await ok(rest('DELETE', '/events/{id}/payload', { key: a.key, params: { id: eventId } }));
    expect(first).toMatchObject({ id: eventId, expungedAt: expect.any(String), deliveriesEnded: 0 });
    const again = await ok(rest('DELETE', '/events/{id}/payload', { key: a.key, params: { id: eventId } }));
    expect(again).toEqual({ ...first, deliveriesEnded: 0 });

    const ev = await ok(rest('GET', '/events/{id}', { key: a.key, params: { id: eventId } }));
    expect(ev).toMatchObject({
      id: eventId,
      type: 'order.created',
      payload: null,
      payloadExpungedAt: first.expungedAt,
    });
    const list = await ok(rest('GET', '/events', { key: a.key, query: { id: eventId, full: 'true' } }));
    expect(list.data[0]).toMatchObject({
      payloadPreview: '',
      payloadBytes: 0,
      payload: null,
      payloadExpungedAt: first.expungedAt,
    });
    const d = await ok(rest('GET', '/deliveries/{id}', { key: a.key, params: { id: deliveryId } }));
    expect(d).toMatchObject({ status: 'succeeded', payloadExpungedAt: first.expungedAt, lastResponseStatus: 200 });
    expect(d.requestBody).toBeUndefined();
    expect(d.attempts[0]).toMatchObject({
      status: 'succeeded',
      request: { headers: {} },
      response: { status: 200, headers: {}, bodyExcerpt: '' },
    });
    expect(JSON.stringify(d)).not.toContain(mark);

    const replay = await rest('POST', '/deliveries/{id}/replay', { key: a.key, params: { id: deliveryId } });
    expect(replay.status).toBe(409);
    expect(replay.body.error.message).toContain('payload expunged');

    const audit = await ok(rest('GET', '/audit-log', { key: a.key }));
    expect(audit.data.filter((e: Json) => e.action === 'event.payload_expunged').map((e: Json) => e.target)).toEqual([
      { kind: 'event', id: eventId },
    ]);
  });

  it('ends pending deliveries as dead ("payload expunged") instead of sending an empty body; bulk replay passes them over', async () => {
    const t = await tenant('Expunge pending');
    failing = true;
    let pending: { eventId: string; deliveryId: string };
    try {
      pending = await publishDelivered(t, marker());
      await expect
        .poll(
          async () =>
            (await ok(rest('GET', '/deliveries/{id}', { key: t.key, params: { id: pending.deliveryId } })))
              .attemptCount,
        )
        .toBe(1);
    } finally {
      failing = false;
    }
    const before = rx.received.length;
    const r = await ok(rest('DELETE', '/events/{id}/payload', { key: platformKey, params: { id: pending.eventId } }));
    expect(r.deliveriesEnded).toBe(1);
    const d = await ok(rest('GET', '/deliveries/{id}', { key: t.key, params: { id: pending.deliveryId } }));
    expect(d).toMatchObject({ status: 'dead', lastError: 'payload expunged' });
    const bulk = await ok(rest('POST', '/replays', { key: t.key, body: {} }), 202);
    expect(bulk.total).toBe(0);
    expect(
      (await rest('POST', '/deliveries/{id}/replay', { key: t.key, params: { id: pending.deliveryId } })).status,
    ).toBe(409);
    await new Promise((res) => setTimeout(res, 500));
    expect(rx.received.length).toBe(before);
  });

  it('leaves the payload in no table, no pg-boss job and no trace span', async () => {
    const t = await tenant('Expunge everywhere');
    const mark = marker();
    const { eventId } = await publishDelivered(t, mark);
    // Before: the event body, the response header and body hold it (the search works).
    const held = await tablesHolding(mark);
    expect(held).toEqual(
      expect.arrayContaining([
        'public.events.body',
        'public.attempts.response_body',
        'public.attempts.response_headers',
      ]),
    );
    await ok(rest('DELETE', '/events/{id}/payload', { key: t.key, params: { id: eventId } }));
    expect(await tablesHolding(mark)).toEqual([]);
    expect(spansHolding(mark)).toEqual([]);
  });
});

describe('expunge while an attempt is on the wire', () => {
  it('the late attempt is not retried with an empty body, and the second pass scrubs what it recorded', async () => {
    const mark = marker();
    const slow = await startReceiver(() => ({
      status: 500,
      delayMs: 1500,
      headers: { 'x-echo': `${mark}-late` },
      body: `${mark}-late`,
    }));
    try {
      const t = await tenant('In flight', ['order.*']);
      const sub = await ok(
        rest('POST', '/subscriptions', {
          key: t.key,
          body: { url: `${slow.url}/hook`, eventTypes: ['slow.*'], retryPolicy: { scheduleSeconds: [1, 1] } },
        }),
        201,
      );
      const ev = await ok(
        rest('POST', '/events', { key: t.key, body: { type: 'slow.created', data: { note: mark } } }),
        202,
      );
      await slow.waitFor(1);
      const r = await ok(rest('DELETE', '/events/{id}/payload', { key: t.key, params: { id: ev.id } }));
      expect(r.deliveriesEnded).toBe(1);
      const [deliveryId] = (
        await ok(rest('GET', '/deliveries', { key: t.key, query: { eventId: ev.id, subscriptionId: sub.id } }))
      ).data.map((d: Json) => d.id);
      // The late attempt is recorded (with its response) and asks for a retry; the retry's job finds
      // the payload expunged and ends the delivery without sending.
      await expect
        .poll(async () => ok(rest('GET', '/deliveries/{id}', { key: t.key, params: { id: deliveryId } })), {
          timeout: 15_000,
        })
        .toMatchObject({ attemptCount: 1, status: 'dead', lastError: 'payload expunged' });
      await new Promise((res) => setTimeout(res, 1500));
      expect(slow.received).toHaveLength(1);
      const [job] = await engine.ctx.db.execute<{ data: { customerId: string; eventIds: string[] } }>(
        sql`select data from pgboss.job where name = 'expunge-rescrub' and data->>'customerId' = ${t.id}`,
      );
      expect(job?.data).toEqual({ customerId: t.id, eventIds: [ev.id] });
      await runRescrub(engine.ctx, job!.data);
      expect(await tablesHolding(mark)).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});

describe('expunge of a whole customer', () => {
  it("is platform-only, runs as one job with progress, and leaves none of the customer's payloads anywhere", async () => {
    const t = await tenant('Closing account');
    const other = await tenant('Staying');
    const mark = marker();
    for (let i = 0; i < 3; i++) await publishDelivered(t, `${mark}-${i}`);
    const kept = await publishDelivered(other, `${mark}-other`);
    expect(await tablesHolding(`${mark}-0`)).toEqual(
      expect.arrayContaining([
        'public.events.body',
        'public.attempts.response_body',
        'public.attempts.response_headers',
      ]),
    );

    expect((await rest('DELETE', '/customers/{id}/data', { key: t.key, params: { id: t.id } })).status).toBe(403);
    expect(
      (await rest('DELETE', '/customers/{id}/data', { key: platformKey, params: { id: 'cus_nope' } })).status,
    ).toBe(400);
    expect((await rest('GET', '/customers/{id}/data', { key: platformKey, params: { id: t.id } })).status).toBe(404);

    const started = await ok(rest('DELETE', '/customers/{id}/data', { key: platformKey, params: { id: t.id } }), 202);
    expect(started).toMatchObject({ customerId: t.id, total: 3, existing: false });
    await expect
      .poll(
        async () => (await ok(rest('GET', '/customers/{id}/data', { key: platformKey, params: { id: t.id } }))).status,
        { timeout: 20_000 },
      )
      .toBe('completed');
    expect(await ok(rest('GET', '/customers/{id}/data', { key: platformKey, params: { id: t.id } }))).toMatchObject({
      id: started.id,
      expunged: 3,
      finishedAt: expect.any(String),
    });
    expect(await tablesHolding(`${mark}-other`)).toEqual(
      expect.arrayContaining(['public.events.body', 'public.attempts.response_body']),
    );
    for (let i = 0; i < 3; i++) expect(await tablesHolding(`${mark}-${i}`)).toEqual([]);
    expect(
      (await ok(rest('GET', '/events/{id}', { key: other.key, params: { id: kept.eventId } }))).payloadExpungedAt,
    ).toBeNull();
    const audit = await ok(rest('GET', '/audit-log', { key: platformKey, query: { customerId: t.id } }));
    expect(audit.data.map((e: Json) => e.action)).toContain('customer.data_expunge_started');
  });
});
