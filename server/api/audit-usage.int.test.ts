import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, ok } from '../../tests/support/api-world';
import { restClient, type Json, type Rest } from '../../tests/support/api';
import { startEngine } from '../../tests/support/engine';
import { fileScoped } from '../../tests/support/file-scoped';
import { startReceiver } from '../../tests/support/receiver';
import { createApiKey } from '../domain/tenants/api-keys';

/**
 * The audit log (who changed what, when, from where; secrets redacted; in the change's own
 * transaction; a customer reads only its own) and usage per customer and day (counted as the work
 * happens), through the REST API with a real worker delivering to a real receiver.
 */
const engine = fileScoped(() => startEngine('audit_usage', { retryTimeScale: 0.001 }));
let rest: Rest;
let platformKey: string;
let platformKeyId: string;
let rx: Awaited<ReturnType<typeof startReceiver>>;
let failing = false;

beforeAll(async () => {
  rest = restClient(engine.ctx);
  ({ key: platformKey, id: platformKeyId } = await createApiKey(engine.ctx, null, 'platform'));
  rx = await startReceiver(() => (failing ? { status: 500 } : { status: 200 }));
});

afterAll(async () => {
  await rx?.close();
});

const tenant = (name: string) => createTenant(rest, platformKey, name, { name: 'ops' });

describe('audit log', () => {
  it('records each change with who, from where and what changed, secrets redacted; a customer reads only its own', async () => {
    const a = await tenant('Audited A');
    const b = await tenant('Audited B');
    const from = { 'x-forwarded-for': '203.0.113.7' };
    const sub = await ok(
      rest('POST', '/subscriptions', {
        key: a.key,
        headers: from,
        body: { url: `${rx.url}/a`, eventTypes: ['order.*'], description: 'first' },
      }),
      201,
    );
    await ok(
      rest('PATCH', '/subscriptions/{id}', {
        key: a.key,
        headers: from,
        params: { id: sub.id },
        body: { description: 'second' },
      }),
    );
    await ok(
      rest('PATCH', '/subscriptions/{id}', {
        key: a.key,
        headers: from,
        params: { id: sub.id },
        body: { active: false },
      }),
    );
    await ok(
      rest('PATCH', '/subscriptions/{id}', {
        key: a.key,
        headers: from,
        params: { id: sub.id },
        body: { active: true },
      }),
    );
    const revealed = await ok(
      rest('GET', '/subscriptions/{id}/secret', { key: a.key, headers: from, params: { id: sub.id } }),
    );
    const rotated = await ok(
      rest('POST', '/subscriptions/{id}/rotate-secret', { key: a.key, headers: from, params: { id: sub.id } }),
    );
    const extra = await ok(
      rest('POST', '/customers/{id}/api-keys', {
        key: a.key,
        headers: from,
        params: { id: a.id },
        body: { name: 'extra' },
      }),
      201,
    );
    await ok(rest('DELETE', '/api-keys/{id}', { key: a.key, headers: from, params: { id: extra.id } }));
    // A refused change leaves no entry.
    const refused = await rest('PATCH', '/subscriptions/{id}', {
      key: a.key,
      params: { id: sub.id },
      body: { url: 'not a url' },
    });
    expect(refused.status).toBe(400);

    const log = await ok(rest('GET', '/audit-log', { key: a.key }));
    const actions = (log.data as Json[]).map((e) => e.action);
    expect(actions).toEqual([
      'api_key.revoked',
      'api_key.created',
      'subscription.secret_rotated',
      'subscription.secret_revealed',
      'subscription.resumed',
      'subscription.paused',
      'subscription.updated',
      'subscription.created',
      'api_key.created',
      'customer.created',
    ]);
    const byAction = (act: string, nth = 0) => (log.data as Json[]).filter((e) => e.action === act)[nth];
    expect(byAction('subscription.updated')).toMatchObject({
      customerId: a.id,
      actor: { kind: 'api_key', id: a.keyId, ip: '203.0.113.7' },
      target: { kind: 'subscription', id: sub.id },
      before: { description: 'first' },
      after: { description: 'second' },
    });
    expect(byAction('subscription.paused')).toMatchObject({ before: { active: true }, after: { active: false } });
    // The platform's own steps show as the platform's: to the customer without its key or address.
    expect(byAction('customer.created').actor).toEqual({ kind: 'platform', id: null, ip: null });
    expect(byAction('api_key.created', 1).actor).toEqual({ kind: 'platform', id: null, ip: null });
    const text = JSON.stringify(log);
    for (const secret of [revealed.secret, rotated.secret, extra.key, a.key]) expect(text).not.toContain(secret);

    // B sees none of A's entries; the platform sees A's when it asks for A, and filters by action.
    const bLog = await ok(rest('GET', '/audit-log', { key: b.key }));
    expect((bLog.data as Json[]).every((e) => e.customerId === b.id)).toBe(true);
    expect((await rest('GET', '/audit-log', { key: b.key, query: { customerId: a.id } })).status).toBe(404);
    const platformView = await ok(
      rest('GET', '/audit-log', { key: platformKey, query: { customerId: a.id, action: 'subscription.paused' } }),
    );
    expect((platformView.data as Json[]).map((e) => e.target.id)).toEqual([sub.id]);
    // The platform reads which of its keys acted, and from where.
    const platformSide = await ok(
      rest('GET', '/audit-log', { key: platformKey, query: { customerId: a.id, action: 'customer.created' } }),
    );
    expect(platformSide.data[0].actor).toMatchObject({ kind: 'platform', id: platformKeyId });
    // Paging by cursor.
    const page1 = await ok(rest('GET', '/audit-log', { key: a.key, query: { limit: '4' } }));
    const page2 = await ok(rest('GET', '/audit-log', { key: a.key, query: { limit: '4', cursor: page1.nextCursor } }));
    expect([...page1.data, ...page2.data].map((e: Json) => e.action)).toEqual(actions.slice(0, 8));
  });
});

describe('changes Hookrelay makes on its own', () => {
  it('a subscription disabled by a 410 is in the audit log, by `system`, with the reason', async () => {
    const gone = await startReceiver(() => ({ status: 410 }));
    try {
      const a = await tenant('Gone A');
      const sub = await ok(
        rest('POST', '/subscriptions', { key: a.key, body: { url: `${gone.url}/gone`, eventTypes: ['*'] } }),
        201,
      );
      await ok(rest('POST', '/events', { key: a.key, body: { type: 'order.created', data: {} } }), 202);
      await expect
        .poll(
          async () => (await ok(rest('GET', '/subscriptions/{id}', { key: a.key, params: { id: sub.id } }))).active,
          { timeout: 20_000 },
        )
        .toBe(false);
      const { disabledReason } = await ok(rest('GET', '/subscriptions/{id}', { key: a.key, params: { id: sub.id } }));
      const entry = {
        action: 'subscription.disabled',
        target: { kind: 'subscription', id: sub.id },
        before: { active: true },
      };
      const after = { active: false, disabledReason, cause: 'gone' };
      const mine = await ok(
        rest('GET', '/audit-log', { key: a.key, query: { targetId: sub.id, action: 'subscription.disabled' } }),
      );
      expect(mine.data).toEqual([
        expect.objectContaining({ ...entry, after, customerId: a.id, actor: { kind: 'system', id: null, ip: null } }),
      ]);
      const platform = await ok(
        rest('GET', '/audit-log', { key: platformKey, query: { customerId: a.id, action: 'subscription.disabled' } }),
      );
      expect(platform.data).toEqual([
        expect.objectContaining({ ...entry, after, actor: { kind: 'system', id: null, ip: null } }),
      ]);
    } finally {
      await gone.close();
    }
  });
});

describe('usage', () => {
  it('counts events published, deliveries attempted, succeeded and failed, and bytes sent, per customer and day', async () => {
    const a = await tenant('Usage A');
    const b = await tenant('Usage B');
    await ok(
      rest('POST', '/subscriptions', {
        key: a.key,
        body: { url: `${rx.url}/u`, eventTypes: ['*'], retryPolicy: { maxAttempts: 1 } },
      }),
      201,
    );
    await ok(
      rest('POST', '/subscriptions', {
        key: b.key,
        body: { url: `${rx.url}/u`, eventTypes: ['*'], retryPolicy: { maxAttempts: 1 } },
      }),
      201,
    );
    const before = rx.received.length;
    for (let i = 0; i < 3; i++)
      await ok(rest('POST', '/events', { key: a.key, body: { type: 'usage.ok', data: { i } } }), 202);
    await rx.waitFor(before + 3);
    const usageOf = async (key: string) => await ok(rest('GET', '/usage', { key }));
    await expect.poll(async () => (await usageOf(a.key)).totals.deliveriesSucceeded, { timeout: 20_000 }).toBe(3);
    failing = true;
    await ok(rest('POST', '/events', { key: a.key, body: { type: 'usage.bad', data: {} } }), 202);
    await expect.poll(async () => (await usageOf(a.key)).totals.deliveriesFailed, { timeout: 20_000 }).toBe(1);
    failing = false;
    const ua = await usageOf(a.key);
    expect(ua.data).toHaveLength(1);
    expect(ua.data[0]).toMatchObject({
      customerId: a.id,
      day: new Date().toISOString().slice(0, 10),
      eventsPublished: 4,
      deliveriesAttempted: 4,
      deliveriesSucceeded: 3,
      deliveriesFailed: 1,
    });
    expect(ua.data[0].bytesSent).toBeGreaterThan(4 * 50);

    // A broadcast counts once for each customer it reached.
    await ok(
      rest('POST', '/events', { key: platformKey, body: { type: 'usage.all', data: {}, broadcast: true } }),
      202,
    );
    await expect.poll(async () => (await usageOf(b.key)).totals.eventsPublished, { timeout: 20_000 }).toBe(1);
    // A customer reads only its own; the platform any customer's.
    expect((await rest('GET', '/usage', { key: b.key, query: { customerId: a.id } })).status).toBe(404);
    const platform = await ok(rest('GET', '/usage', { key: platformKey, query: { customerId: b.id } }));
    expect(platform.data.every((r: Json) => r.customerId === b.id)).toBe(true);
  });
});
