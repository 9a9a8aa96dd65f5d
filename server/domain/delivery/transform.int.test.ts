import { eq, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attempts, subscriptions } from '../../../drizzle/schema';
import {
  callProcedure,
  failure,
  readOnlyTrpc,
  restClient,
  trpcClient,
  type Json,
  type Rest,
} from '../../../tests/support/api';
import { createTenant, ok, startApiEngine, type ApiEngine } from '../../../tests/support/api-world';
import { attemptsOf, onlyDelivery, startEngine, waitForStatus, type Engine } from '../../../tests/support/engine';
import type { Received } from '../../../tests/support/receiver';
import { createApiKey } from '../tenants/api-keys';
import { SANDBOX_LIMITS } from './sandbox';

/**
 * Transformations end to end, with the real worker and real HTTP receivers: what the receiver gets
 * (body, headers, URL), that the signature covers the transformed body, a cancelled attempt, a failing
 * one retried with error class `transform`, a runaway one stopped at its CPU limit while the worker
 * goes on delivering, and the dry run. A second engine, with private targets refused, shows a
 * transform cannot move a delivery to a private address.
 */
let engine: ApiEngine;
let rest: Rest;
let platformKey: string;

beforeAll(async () => {
  engine = await startApiEngine('transform', { retryTimeScale: 0.01 });
  ({ rest, platformKey } = engine);
});

afterAll(async () => {
  await engine?.stop();
});

let n = 0;
const customer = (r: Rest = rest, key = platformKey) => createTenant(r, key, `Transform ${++n}`);

/**
 * What one customer has stored (subscriptions, events, deliveries, attempts, audit entries): the
 * tests' "nothing stored" looks at that customer only, since earlier tests' retries keep the rest of
 * the database moving.
 */
async function rowsOf(customerId: string) {
  const [row] = await engine.ctx.db.execute<Record<string, number>>(sql`
    select (select count(*)::int from subscriptions where customer_id = ${customerId}) as subscriptions,
           (select count(*)::int from events where customer_id = ${customerId}) as events,
           (select count(*)::int from deliveries where customer_id = ${customerId}) as deliveries,
           (select count(*)::int from attempts where customer_id = ${customerId}) as attempts,
           (select count(*)::int from audit_log where customer_id = ${customerId}) as audit`);
  return row;
}

/** A new customer, a receiver, and a subscription of the customer to the receiver's /hook with `body` (every event type unless it says otherwise). */
async function subscribed(body: Json) {
  const c = await customer();
  const r = await engine.receiver();
  const sub = await ok(
    rest('POST', '/subscriptions', { key: c.key, body: { url: `${r.url}/hook`, eventTypes: ['*'], ...body } }),
    201,
  );
  return { c, r, sub };
}

async function publish(key: string, type: string, data: Json) {
  return ok(rest('POST', '/events', { key, body: { type, data } }), 202);
}

async function deliveryRead(key: string, id: string) {
  return ok(rest('GET', '/deliveries/{id}', { key, params: { id } }));
}

describe('transformations at send time', () => {
  it('sends the transformed body, headers and URL; the signature verifies over what was sent; the attempt keeps the body it sent', async () => {
    const transform = `function transform(webhook) {
      const { data } = webhook.payload;
      return {
        body: { text: 'Order ' + data.order + ': ' + (data.amount / 100).toFixed(2) + ' ' + data.currency.toUpperCase(), kind: webhook.eventType },
        headers: { ...webhook.headers, 'X-Order': String(data.order), 'X-Copied-Secret': 'token ' + webhook.headers['X-Api-Key'] },
        url: webhook.url + '/slack',
      };
    }`;
    const { c, r, sub } = await subscribed({
      eventTypes: ['order.*'],
      headers: { 'X-Api-Key': 'k3y-s3cret' },
      transform,
    });
    expect(sub).toMatchObject({ transform, transformVersion: 1 });
    const ev = await publish(c.key, 'order.created', { order: 1042, amount: 4250, currency: 'eur' });
    const d = await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, ev.id)).id, 'succeeded');
    expect(r.received).toHaveLength(1);
    const got = r.received[0]!;
    const sent = JSON.stringify({ text: 'Order 1042: 42.50 EUR', kind: 'order.created' });
    expect(got.path).toBe('/hook/slack');
    expect(got.body).toBe(sent);
    expect(got.headers).toMatchObject({
      'x-order': '1042',
      'x-api-key': 'k3y-s3cret',
      'x-copied-secret': 'token k3y-s3cret',
      'content-type': 'application/json',
    });
    // The receiver verifies with the subscription's secret over the bytes it received.
    const wh = new Webhook(sub.secret);
    expect(wh.verify(got.body, got.headers)).toEqual(JSON.parse(sent));
    expect(got.headers['webhook-id']).toBe(ev.id);

    // The attempt row: the URL it went to, the body it sent; custom values redacted, also where the transform copied one.
    const [row] = await attemptsOf(engine.ctx, d.id);
    expect(row).toMatchObject({
      url: `${r.url}/hook/slack`,
      requestBody: sent,
      status: 'succeeded',
      responseStatus: 200,
    });
    const read = await deliveryRead(c.key, d.id);
    // The delivery still shows the event's own body (the "before"), which that signature does not cover.
    expect(JSON.parse(read.requestBody)).toMatchObject({
      id: ev.id,
      type: 'order.created',
      data: { order: 1042, amount: 4250, currency: 'eur' },
    });
    expect(() => wh.verify(read.requestBody, got.headers)).toThrow();
    expect(read.attempts[0].request).toMatchObject({
      url: `${r.url}/hook/slack`,
      transformedBody: sent,
      headers: { 'X-Order': '1042', 'X-Api-Key': '[redacted]', 'X-Copied-Secret': '[redacted]', 'webhook-id': ev.id },
    });
    expect(JSON.stringify(read)).not.toContain('k3y-s3cret');

    // Expunging the event's payload takes the transformed body with it.
    await ok(rest('DELETE', '/events/{id}/payload', { key: c.key, params: { id: ev.id } }));
    const [scrubbed] = await attemptsOf(engine.ctx, d.id);
    expect(scrubbed!.requestBody).toBeNull();
  });

  it('a transform that leaves the body alone stores no second copy of it', async () => {
    const { c, r } = await subscribed({
      transform: `function transform(w) { return { headers: { 'X-Type': w.eventType } } }`,
    });
    const ev = await publish(c.key, 'invoice.paid', { amount: 1 });
    const d = await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, ev.id)).id, 'succeeded');
    const got = r.received[0]!;
    expect(got.headers['x-type']).toBe('invoice.paid');
    expect(JSON.parse(got.body)).toMatchObject({ id: ev.id, type: 'invoice.paid', data: { amount: 1 } });
    const wh = new Webhook(await secretOf(c.key, d.subscriptionId));
    expect(() => wh.verify(got.body, got.headers)).not.toThrow();
    const [row] = await attemptsOf(engine.ctx, d.id);
    expect(row!.requestBody).toBeNull();
    expect((await deliveryRead(c.key, d.id)).attempts[0].request.transformedBody).toBeNull();
  });

  it('cancel: nothing is sent, the delivery ends succeeded and its attempt says it was cancelled', async () => {
    const { c, r } = await subscribed({
      transform: `function transform(w) { return { cancel: w.payload.data.amount < 100 } }`,
    });
    const small = await publish(c.key, 'order.created', { amount: 5 });
    const big = await publish(c.key, 'order.created', { amount: 500 });
    const cancelled = await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, small.id)).id, 'succeeded');
    await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, big.id)).id, 'succeeded');
    expect(r.received.map((x) => JSON.parse(x.body).id)).toEqual([big.id]);
    expect(cancelled).toMatchObject({
      attemptCount: 1,
      lastResponseStatus: null,
      lastError: 'the transform cancelled this delivery: nothing was sent',
    });
    const [row] = await attemptsOf(engine.ctx, cancelled.id);
    expect(row).toMatchObject({
      status: 'succeeded',
      errorClass: 'cancelled',
      responseStatus: null,
      requestHeaders: {},
      requestBody: null,
    });
    const read = await deliveryRead(c.key, cancelled.id);
    expect(read.attempts[0]).toMatchObject({ status: 'succeeded', error: { class: 'cancelled' }, response: null });
    // The breaker heard nothing bad.
    const [s] = await engine.ctx.db.select().from(subscriptions).where(eq(subscriptions.id, cancelled.subscriptionId));
    expect(s).toMatchObject({ breakerState: 'closed', breakerFailures: 0 });
  });

  it('a throwing transform fails the attempt with error class transform, retried on the schedule; a fixed transform and a replay deliver', async () => {
    const { c, r, sub } = await subscribed({
      retryPolicy: { maxAttempts: 2, scheduleSeconds: [300] },
      transform: `function transform(w) {\n  return { body: { name: w.payload.data.customer.name } }\n}`,
    });
    const ev = await publish(c.key, 'order.created', { amount: 5 });
    const d = await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, ev.id)).id, 'dead');
    expect(r.received).toHaveLength(0);
    const rows = await attemptsOf(engine.ctx, d.id);
    expect(rows.map((a) => [a.attemptSeq, a.status, a.errorClass, a.trigger])).toEqual([
      [1, 'failed', 'transform', 'initial'],
      [2, 'failed', 'transform', 'retry'],
    ]);
    expect(rows[0]!.errorMessage).toMatch(
      /^transform threw TypeError: cannot read property 'name' of undefined \(line 2, column \d+\)$/,
    );
    expect(rows[0]!.requestHeaders).toEqual({});
    expect(rows[0]!.nextRetryAt).not.toBeNull();
    expect(d.lastError).toMatch(/^gave up after 2 attempts \(last: transform threw TypeError/);

    // The fix: a new version of the transform (the audit log has both), then a replay.
    const fixed = await ok(
      rest('PATCH', '/subscriptions/{id}', {
        key: c.key,
        params: { id: sub.id },
        body: {
          transform: `function transform(w) { return { body: { name: w.payload.data.customer?.name ?? 'unknown' } } }`,
        },
      }),
    );
    expect(fixed.transformVersion).toBe(2);
    const log = await ok(
      rest('GET', '/audit-log', { key: c.key, query: { targetId: sub.id, action: 'subscription.updated' } }),
    );
    expect(log.data[0]).toMatchObject({
      before: { transformVersion: 1 },
      after: { transformVersion: 2, transform: fixed.transform },
    });
    await ok(rest('POST', '/deliveries/{id}/replay', { key: c.key, params: { id: d.id } }), 202);
    await waitForStatus(engine.ctx, d.id, 'succeeded');
    expect(r.received.map((x) => x.body)).toEqual(['{"name":"unknown"}']);
  });

  it('an endless loop is stopped at the CPU limit, recorded as transform; the worker keeps delivering', async () => {
    const c = await customer();
    const looping = await engine.receiver();
    const healthy = await engine.receiver();
    await ok(
      rest('POST', '/subscriptions', {
        key: c.key,
        body: {
          url: `${looping.url}/hook`,
          eventTypes: ['loop.*'],
          retryPolicy: { maxAttempts: 1 },
          transform: 'function transform() { while (true) {} }',
        },
      }),
      201,
    );
    await ok(
      rest('POST', '/subscriptions', { key: c.key, body: { url: `${healthy.url}/hook`, eventTypes: ['fine.*'] } }),
      201,
    );
    const loop = await publish(c.key, 'loop.start', {});
    const d = await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, loop.id)).id, 'dead');
    const [row] = await attemptsOf(engine.ctx, d.id);
    expect(row).toMatchObject({
      status: 'failed',
      errorClass: 'transform',
      errorMessage: expect.stringMatching(/ran out of time/),
    });
    expect(row!.latencyMs).toBeGreaterThanOrEqual(SANDBOX_LIMITS.cpuMs);
    // The same worker delivers the next event.
    const fine = await publish(c.key, 'fine.ok', {});
    await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, fine.id)).id, 'succeeded');
    expect(healthy.received).toHaveLength(1);
    expect(looping.received).toHaveLength(0);
  });

  it('a transform that runs out of memory or returns no object fails with its reason', async () => {
    const { c, r } = await subscribed({
      retryPolicy: { maxAttempts: 1 },
      transform: `function transform(w) { return w.eventType === 'big.one' ? { body: 'x'.repeat(1e8) } : 'not an object' }`,
    });
    const big = await publish(c.key, 'big.one', {});
    const str = await publish(c.key, 'str.one', {});
    const messages = [];
    for (const ev of [big, str]) {
      const d = await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, ev.id)).id, 'dead');
      const [row] = await attemptsOf(engine.ctx, d.id);
      expect(row!.errorClass).toBe('transform');
      messages.push(row!.errorMessage);
    }
    expect(messages).toEqual([
      'transform ran out of memory: it used its 16 MiB',
      'transform must return an object {body?, headers?, url?, cancel?}, not a string',
    ]);
    expect(r.received).toHaveLength(0);
  });
});

async function secretOf(key: string, subscriptionId: string): Promise<string> {
  return (await ok(rest('GET', '/subscriptions/{id}/secret', { key, params: { id: subscriptionId } })))
    .secret as string;
}

describe('saving a transform', () => {
  it('is checked: at most 64 KiB, compiles, defines transform (400 naming transform, nothing stored)', async () => {
    const c = await customer();
    const before = await rowsOf(c.id);
    const cases: Array<[string, RegExp]> = [
      [`function transform() { return {} }\n${'// padding\n'.repeat(6000)}`, /must be at most 64 KiB/],
      ['function transform( {', /^SyntaxError: /],
      ['function transfrom() { return {} }', /must define a function named transform/],
      ['throw new Error("at load")', /^Error: at load/],
      ['while (true) {}', /ran out of time/],
      ['', /must define a function named transform/],
    ];
    for (const [transform, reason] of cases) {
      const res = await rest('POST', '/subscriptions', {
        key: c.key,
        body: { url: 'http://127.0.0.1:9/x', eventTypes: ['*'], transform },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.field).toBe('transform');
      expect(res.body.errors).toEqual([{ field: 'transform', reason: expect.stringMatching(reason) }]);
    }
    expect(await rowsOf(c.id)).toEqual(before);
  });

  it('versions go up with each change and removal, not with an unchanged save', async () => {
    const c = await customer();
    const sub = await ok(
      rest('POST', '/subscriptions', { key: c.key, body: { url: 'http://127.0.0.1:9/x', eventTypes: ['*'] } }),
      201,
    );
    expect(sub).toMatchObject({ transform: null, transformVersion: 0 });
    const patch = (body: Json) =>
      ok(rest('PATCH', '/subscriptions/{id}', { key: c.key, params: { id: sub.id }, body }));
    const t = 'const transform = (w) => ({})';
    expect(await patch({ transform: t })).toMatchObject({ transform: t, transformVersion: 1 });
    expect(await patch({ transform: t, description: 'same transform' })).toMatchObject({ transformVersion: 1 });
    expect(await patch({ transform: null })).toMatchObject({ transform: null, transformVersion: 2 });
    const bad = await rest('PATCH', '/subscriptions/{id}', {
      key: c.key,
      params: { id: sub.id },
      body: { transform: 'nope(' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('transform');
    const [row] = await engine.ctx.db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
    expect(row).toMatchObject({ transform: null, transformVersion: 2 });
  });
});

describe('POST /subscriptions/test-transform', () => {
  it("runs on the customer's most recent event, or the one named, and shows before and after; nothing is sent or stored", async () => {
    const { c, r } = await subscribed({ eventTypes: ['never.*'] });
    const first = await publish(c.key, 'order.created', { amount: 100 });
    const latest = await publish(c.key, 'order.created', { amount: 250 });
    const transform =
      'function transform(w) { return { body: { cents: w.payload.data.amount }, headers: { "X-Type": w.eventType } } }';
    const before = await rowsOf(c.id);
    const out = await ok(rest('POST', '/subscriptions/test-transform', { key: c.key, body: { transform } }));
    expect(out).toMatchObject({
      event: { id: latest.id, type: 'order.created' },
      before: { url: 'https://example.com/webhook', headers: {} },
      after: { url: 'https://example.com/webhook', headers: { 'X-Type': 'order.created' }, body: '{"cents":250}' },
      cancelled: false,
      error: null,
      cpuMs: expect.any(Number),
    });
    expect(JSON.parse(out.before.body)).toMatchObject({ id: latest.id, data: { amount: 250 } });
    const named = await ok(
      rest('POST', '/subscriptions/test-transform', { key: c.key, body: { transform, eventId: first.id } }),
    );
    expect(named.after.body).toBe('{"cents":100}');
    // Over tRPC, the same.
    const viaTrpc = await trpcClient(engine.ctx, c.key).subscriptions.testTransform.mutate({
      transform,
      eventId: first.id,
    });
    expect(viaTrpc).toMatchObject({ event: { id: first.id }, after: { body: '{"cents":100}' } });
    expect(await rowsOf(c.id)).toEqual(before);
    expect(r.received).toHaveLength(0);
  });

  it('reports what an attempt would record: the error with its class, a cancel, a refused URL', async () => {
    const c = await customer();
    await publish(c.key, 'order.created', { amount: 1 });
    const run = (transform: string) =>
      ok(rest('POST', '/subscriptions/test-transform', { key: c.key, body: { transform } }));
    expect(await run('function transform() { while (true) {} }')).toMatchObject({
      after: null,
      cancelled: false,
      error: { class: 'transform', message: expect.stringMatching(/ran out of time/) },
    });
    expect(await run("function transform() { return { body: require('fs') } }")).toMatchObject({
      error: { class: 'transform', message: expect.stringContaining("ReferenceError: 'require' is not defined") },
    });
    expect(await run('function transform() { return { cancel: true } }')).toMatchObject({
      after: null,
      cancelled: true,
      error: null,
    });
    expect(
      await run('function transform() { return { headers: { "webhook-signature": "v1,forged" } } }'),
    ).toMatchObject({
      error: { class: 'transform', message: expect.stringContaining('"webhook-signature" is reserved') },
    });
    expect(await run('function transform() { return { url: "ftp://example.com/x" } }')).toMatchObject({
      error: { class: 'transform', message: "the transform's url must use http or https" },
    });
  });

  it('a customer with no events gets a sample event; bad source is a 400; another customer’s event a 404; read-only sessions may not', async () => {
    const c = await customer();
    const other = await customer();
    const foreign = await publish(other.key, 'order.created', { secret: 'theirs' });
    const sample = await ok(
      rest('POST', '/subscriptions/test-transform', {
        key: c.key,
        body: { transform: 'function transform(w) { return { body: w.eventType } }' },
      }),
    );
    expect(sample).toMatchObject({ event: null, after: { body: 'hookrelay.test' } });
    const bad = await rest('POST', '/subscriptions/test-transform', {
      key: c.key,
      body: { transform: 'function transform( {' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('transform');
    const big = await rest('POST', '/subscriptions/test-transform', {
      key: c.key,
      body: { transform: `function transform() { return {} }//${'x'.repeat(70_000)}` },
    });
    expect(big.status).toBe(400);
    expect(big.body.errors).toEqual([{ field: 'transform', reason: 'must be at most 64 KiB (65536 bytes of UTF-8)' }]);
    const unknown = await rest('POST', '/subscriptions/test-transform', {
      key: c.key,
      body: { transform: 'function transform() { return {} }', url: 'x' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'url', reason: 'unknown field' }]);
    const notMine = await rest('POST', '/subscriptions/test-transform', {
      key: c.key,
      body: { transform: 'function transform() { return {} }', eventId: foreign.id },
    });
    expect(notMine.status).toBe(404);
    expect(JSON.stringify(notMine.body)).not.toContain('theirs');
    const readOnly = readOnlyTrpc(engine.ctx, c.id);
    const err = await failure(
      callProcedure(readOnly, 'subscriptions.testTransform', 'mutation', {
        transform: 'function transform() { return {} }',
      }),
    );
    expect(err?.data).toMatchObject({ httpStatus: 403 });
  });
});

describe('with private targets refused', () => {
  let guarded: Engine;
  let guardedRest: Rest;
  let guardedPlatformKey: string;

  beforeAll(async () => {
    guarded = await startEngine('transform-guard', { allowPrivateTargets: false, retryTimeScale: 0.01 });
    guardedRest = restClient(guarded.ctx);
    guardedPlatformKey = (await createApiKey(guarded.ctx, null, 'test platform')).key;
  });

  afterAll(async () => {
    await guarded?.stop();
  });

  it('a transform moving the URL to a private address is refused by the guard: blocked_target, dead at once, nothing sent', async () => {
    const local = await engine.receiver();
    const c = await customer(guardedRest, guardedPlatformKey);
    const targets = [
      `${local.url}/stolen`,
      'http://localhost:8080/admin',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/x',
      'http://10.0.0.7/x',
    ];
    const transform = `const targets = ${JSON.stringify(targets)}; function transform(w) { return { url: targets[w.payload.data.i] } }`;
    await ok(
      guardedRest('POST', '/subscriptions', {
        key: c.key,
        body: { url: 'https://example.com/hook', eventTypes: ['*'], transform },
      }),
      201,
    );
    const refused: Received[] = local.received;
    for (const [i, target] of targets.entries()) {
      const ev = await ok(guardedRest('POST', '/events', { key: c.key, body: { type: 'move.it', data: { i } } }), 202);
      const d = await waitForStatus(guarded.ctx, (await onlyDelivery(guarded.ctx, ev.id)).id, 'dead');
      const rows = await guarded.ctx.db.select().from(attempts).where(eq(attempts.deliveryId, d.id));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ errorClass: 'blocked_target', url: new URL(target).href });
      expect(rows[0]!.errorMessage).toMatch(/^the transform's url must not target a private/);
      expect(d.lastError).toMatch(/^target refused: /);
    }
    expect(refused).toHaveLength(0);
    // The dry run says the same.
    const dry = await ok(guardedRest('POST', '/subscriptions/test-transform', { key: c.key, body: { transform } }));
    expect(dry.error).toMatchObject({ class: 'blocked_target' });
  });
});
