import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json, Rest } from '../../../tests/support/api';
import { createTenant, ok, startApiEngine, type ApiEngine } from '../../../tests/support/api-world';
import { deliveriesOf, waitForStatus } from '../../../tests/support/engine';
import { startReceiver, type Received, type Reply } from '../../../tests/support/receiver';

/**
 * Auto-disable at scaled time (RETRY_TIME_SCALE 0.001, so an hour is 3.6 s): the deployment's period
 * here is 2 hours (7.2 s). A subscription whose attempts all fail for its period is disabled with its
 * deliveries held and a reason that says so, the platform hears `subscription.disabled` with reason
 * `auto_disabled`, and resuming releases what was held. A success restarts the count; `null` never
 * disables.
 */
const SCALE = 0.001;
const HOUR_MS = 3600_000 * SCALE;
let engine: ApiEngine;
let rest: Rest;
let key: string;
let ops: Awaited<ReturnType<typeof startReceiver>>;
let opsSecret: string;
let endpoint: Awaited<ReturnType<typeof startReceiver>>;
/** How the endpoint answers, by the first segment of the event type (one per subscription). */
const answers = new Map<string, (r: Received, nth: number) => Reply | Promise<Reply>>();
const seen = new Map<string, number>();

const subscription = async (id: string): Promise<Json> =>
  ok(rest('GET', '/subscriptions/{id}', { key, params: { id } }));
async function subscribe(prefix: string, body: Record<string, unknown> = {}): Promise<string> {
  return (
    await ok(
      rest('POST', '/subscriptions', {
        key,
        body: { url: `${endpoint.url}/${prefix}`, eventTypes: [`${prefix}.*`], ...body },
      }),
      201,
    )
  ).id as string;
}
const publish = async (type: string) =>
  (await ok(rest('POST', '/events', { key, body: { type, data: {} } }), 202)).id as string;
const disabledEvents = (subscriptionId: string) =>
  ops.received
    .map((r) => ({ r, e: JSON.parse(r.body) as { type: string; data: Json } }))
    .filter(({ e }) => e.type === 'subscription.disabled' && e.data.subscriptionId === subscriptionId);

beforeAll(async () => {
  engine = await startApiEngine('auto_disable', { retryTimeScale: SCALE, autoDisableAfterHours: 2 }, 'platform');
  rest = engine.rest;
  ops = await startReceiver();
  endpoint = await startReceiver((r) => {
    const prefix = (JSON.parse(r.body) as { type: string }).type.split('.')[0]!;
    const nth = (seen.get(prefix) ?? 0) + 1;
    seen.set(prefix, nth);
    return answers.get(prefix)?.(r, nth) ?? { status: 200 };
  });
  const { platformKey } = engine;
  opsSecret = (
    await ok(
      rest('POST', '/operational-webhooks', {
        key: platformKey,
        body: { url: `${ops.url}/ops`, eventTypes: ['subscription.disabled'] },
      }),
      201,
    )
  ).secret;
  key = (await createTenant(rest, platformKey, 'Forgotten endpoint')).key;
});

afterAll(async () => {
  await Promise.all([ops, endpoint].map((r) => r?.close()));
  await engine?.stop();
});

describe('auto-disable', () => {
  it("disables after the deployment's period of failures only, holds the deliveries, tells the platform; null never disables", async () => {
    let healthy = false;
    answers.set('down', () => (healthy ? { status: 200 } : { status: 500 }));
    answers.set('never', () => ({ status: 500 }));
    const subId = await subscribe('down');
    const neverId = await subscribe('never', { autoDisableAfterHours: null });
    expect(await subscription(subId)).toMatchObject({ autoDisableAfterHours: 2, failingSince: null });
    expect(await subscription(neverId)).toMatchObject({ autoDisableAfterHours: null });
    const events = [await publish('down.one'), await publish('down.two'), await publish('never.one')];

    await expect.poll(async () => (await subscription(subId)).active, { timeout: 60_000, interval: 100 }).toBe(false);
    const sub = await subscription(subId);
    expect(sub.disabledReason).toMatch(
      /^no attempt succeeded for 2 hours \(failing since .*\): disabled automatically/,
    );
    // Not before its time: from the first failure to the disabling, at least the (scaled) 2 hours.
    expect(Date.parse(sub.updatedAt) - Date.parse(sub.failingSince)).toBeGreaterThanOrEqual(2 * HOUR_MS);
    for (const id of events.slice(0, 2)) expect((await deliveriesOf(engine.ctx, id))[0]!.status).toBe('held');
    expect(sub.heldDeliveries).toBe(2);

    // The platform heard it, once, signed.
    await expect.poll(() => disabledEvents(subId).length, { timeout: 30_000 }).toBeGreaterThan(0);
    const [{ r, e }] = disabledEvents(subId) as [{ r: Received; e: { type: string; data: Json } }];
    expect(new Webhook(opsSecret).verify(r.body, r.headers)).toBeTruthy();
    expect(e.data).toMatchObject({
      subscriptionId: subId,
      reason: 'auto_disabled',
      message: sub.disabledReason,
      url: `${endpoint.url}/down`,
    });
    // The audit log has it, by Hookrelay itself, with the reason; the customer sees no id or address.
    const audit = await ok(
      rest('GET', '/audit-log', { key, query: { targetId: subId, action: 'subscription.disabled' } }),
    );
    expect(audit.data).toEqual([
      expect.objectContaining({
        actor: { kind: 'system', id: null, ip: null },
        before: { active: true },
        after: { active: false, disabledReason: sub.disabledReason, cause: 'auto_disabled' },
      }),
    ]);

    // The subscription that never auto-disables failed for as long, and more, and is still on.
    await expect
      .poll(
        async () => {
          const never = await subscription(neverId);
          return (
            never.active &&
            never.failingSince !== null &&
            Date.now() - Date.parse(never.failingSince) > 2.5 * HOUR_MS &&
            seen.get('never')! > 6
          );
        },
        { timeout: 60_000, interval: 100 },
      )
      .toBe(true);

    // Fixed and resumed: the held deliveries go out, the count starts afresh.
    healthy = true;
    const resumed = await ok(
      rest('PATCH', '/subscriptions/{id}', { key, params: { id: subId }, body: { active: true } }),
    );
    expect(resumed).toMatchObject({ active: true, disabledReason: null, failingSince: null });
    for (const id of events.slice(0, 2))
      await waitForStatus(engine.ctx, (await deliveriesOf(engine.ctx, id))[0]!.id, 'succeeded');
    expect(disabledEvents(subId)).toHaveLength(1);
  });

  it("honours a subscription's own period", async () => {
    answers.set('brief', () => ({ status: 503 }));
    const subId = await subscribe('brief', { autoDisableAfterHours: 0.5 });
    expect(await subscription(subId)).toMatchObject({ autoDisableAfterHours: 0.5 });
    await publish('brief.one');
    await expect.poll(async () => (await subscription(subId)).active, { timeout: 60_000, interval: 100 }).toBe(false);
    const sub = await subscription(subId);
    expect(sub.disabledReason).toMatch(/^no attempt succeeded for 0.5 hours/);
    expect(Date.parse(sub.updatedAt) - Date.parse(sub.failingSince)).toBeGreaterThanOrEqual(0.5 * HOUR_MS);
    // It can be changed, and switched off, later.
    expect(
      await ok(
        rest('PATCH', '/subscriptions/{id}', { key, params: { id: subId }, body: { autoDisableAfterHours: null } }),
      ),
    ).toMatchObject({
      autoDisableAfterHours: null,
    });
    expect(
      await ok(
        rest('PATCH', '/subscriptions/{id}', { key, params: { id: subId }, body: { autoDisableAfterHours: 24 } }),
      ),
    ).toMatchObject({
      autoDisableAfterHours: 24,
    });
  });

  it('a success clears "failing since": intermittent failures never add up', async () => {
    // Fails 4 times, then succeeds.
    // The success waits until the test has seen "failing since" set: retries come fast, and a poll
    // could otherwise miss the whole failing spell.
    let seenFailing = () => {};
    const failingSeen = new Promise<void>((resolve) => (seenFailing = resolve));
    answers.set('flaky', async (_r, nth) => {
      if (nth <= 4) return { status: 500 };
      await failingSeen;
      return { status: 200 };
    });
    const subId = await subscribe('flaky', { autoDisableAfterHours: 0.5 });
    const id = await publish('flaky.one');
    await expect
      .poll(async () => (await subscription(subId)).failingSince, { timeout: 30_000, interval: 20 })
      .not.toBeNull();
    seenFailing();
    await waitForStatus(engine.ctx, (await deliveriesOf(engine.ctx, id))[0]!.id, 'succeeded');
    expect(await subscription(subId)).toMatchObject({ active: true, failingSince: null });
  });

  it('refuses a period that is not a positive number of hours', async () => {
    for (const bad of [0, -1, 'soon', 9000]) {
      const res = await rest('POST', '/subscriptions', {
        key,
        body: { url: `${endpoint.url}/x`, eventTypes: ['*'], autoDisableAfterHours: bad },
      });
      expect(res.status, String(bad)).toBe(400);
      expect(res.body.error.field).toBe('autoDisableAfterHours');
    }
  });
});
