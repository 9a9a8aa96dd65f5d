import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { deliveries } from '../../../drizzle/schema';
import { attemptsOf, startEngine, waitForStatus } from '../../../tests/support/engine';
import { fileScoped } from '../../../tests/support/file-scoped';
import type { Received } from '../../../tests/support/receiver';
import { platformScope } from '../context';
import { DomainError } from '../errors';
import { publishBatch } from '../events/publish-batch';
import { publishEvent } from '../events/publish';
import { replayDelivery } from '../replay/replay-delivery';
import { createCustomer } from '../tenants/customers';
import { createSubscription } from '../subscriptions/subscription-changes';
import { listBlockedLanes, skipLaneHead } from './lanes';
import { publishEventInput } from '../events/inputs';

/**
 * Ordering lanes against a real receiver and worker. RETRY_TIME_SCALE 0.02 turns a 1 s retry into
 * 20 ms; the breaker's threshold is out of reach, so what holds a lane back is the lane alone.
 */
const engine = fileScoped(() => startEngine('lanes', { retryTimeScale: 0.02, breakerThreshold: 100_000 }));

type Body = { key: string; seq: number };
const bodyOf = (r: Received) => (JSON.parse(r.body) as { data: Body }).data;

/**
 * A receiver that answers each request by `fails` (500) or 200 after a few ms, and keeps, per lane
 * key, what it accepted in order and the most requests it had in hand at once.
 */
async function laneReceiver(fails: (body: Body, webhookId: string, nth: number) => boolean) {
  const accepted = new Map<string, number[]>();
  const inHand = new Map<string, number>();
  const mostInHand = new Map<string, number>();
  const seen = new Map<string, number>();
  const r = await engine.receiver(async (req) => {
    const body = bodyOf(req);
    const id = req.headers['webhook-id'] ?? '';
    const nth = (seen.get(id) ?? 0) + 1;
    seen.set(id, nth);
    inHand.set(body.key, (inHand.get(body.key) ?? 0) + 1);
    mostInHand.set(body.key, Math.max(mostInHand.get(body.key) ?? 0, inHand.get(body.key)!));
    await new Promise((x) => setTimeout(x, 2));
    inHand.set(body.key, inHand.get(body.key)! - 1);
    if (fails(body, id, nth)) return { status: 500, body: 'try again' };
    accepted.set(body.key, [...(accepted.get(body.key) ?? []), body.seq]);
    return { status: 200 };
  });
  return { ...r, accepted, mostInHand };
}

/** A failure decided by a hash of the webhook-id and the attempt: about `rate` of attempts fail, the same on every run. */
const hashedFailure = (rate: number) => (_b: Body, id: string, nth: number) =>
  createHash('sha256').update(`${id}/${nth}`).digest().readUInt16BE(0) / 65536 < rate;

async function setup(
  ordering: 'lenient' | 'strict',
  fails: Parameters<typeof laneReceiver>[0],
  retry = { maxAttempts: 50, scheduleSeconds: [1] },
) {
  const r = await laneReceiver(fails);
  const customer = await createCustomer(engine.ctx, platformScope, { name: `Lanes ${ordering}` });
  const sub = await createSubscription(engine.ctx, platformScope, {
    customerId: customer.id,
    url: `${r.url}/hook`,
    eventTypes: ['order.*'],
    retryPolicy: retry,
    ordering,
  });
  /** Publishes event `seq` of lane `key` (none: unordered) to this customer. */
  const publish = (key: string | undefined, seq: number) =>
    publishEvent(engine.ctx, platformScope, {
      type: 'order.updated',
      customerId: customer.id,
      ...(key && { orderingKey: key }),
      data: { key: key ?? 'none', seq },
    });
  return { r, customer, sub, publish };
}

const rowsOf = (subscriptionId: string) =>
  engine.ctx.db
    .select()
    .from(deliveries)
    .where(eq(deliveries.subscriptionId, subscriptionId))
    .orderBy(asc(deliveries.eventId));

describe('ordering lanes', () => {
  it('1,000 events over 10 keys to an endpoint that fails at random: each key is received in publish order, one at a time', async () => {
    // Retries 20 ms apart, in a window of days (scaled: hours): a loaded machine that takes a second
    // to send a lane's next attempt must not spend the window (50 retries of 1 s would be 1 s here).
    const { r, customer, sub } = await setup('lenient', hashedFailure(0.25), {
      maxAttempts: 50,
      scheduleSeconds: [...Array.from({ length: 12 }, () => 1), 7 * 86400],
    });
    const items = Array.from({ length: 1000 }, (_, seq) => ({
      type: 'order.updated',
      customerId: customer.id,
      orderingKey: `order-${seq % 10}`,
      data: { key: `order-${seq % 10}`, seq },
    }));
    for (let i = 0; i < items.length; i += 500) {
      const { results } = await publishBatch(engine.ctx, platformScope, items.slice(i, i + 500));
      expect(results.every((x) => 'id' in x)).toBe(true);
    }
    // A delivery that died says why (its last error) in the diff, instead of a count one short.
    const progress = async () => {
      const rows = await rowsOf(sub.id);
      return {
        succeeded: rows.filter((d) => d.status === 'succeeded').length,
        dead: rows.filter((d) => d.status === 'dead').map((d) => d.lastError),
      };
    };
    await expect.poll(progress, { timeout: 150_000, interval: 250 }).toEqual({ succeeded: 1000, dead: [] });

    for (let k = 0; k < 10; k++) {
      const key = `order-${k}`;
      const published = items.filter((x) => x.orderingKey === key).map((x) => x.data.seq);
      expect(r.accepted.get(key)).toEqual(published);
      expect(r.mostInHand.get(key)).toBe(1);
    }
    const rows = await rowsOf(sub.id);
    expect(rows.every((d) => d.orderingKey?.startsWith('order-'))).toBe(true);
    // The receiver failed some: those lanes waited for their retries, and still went in order.
    expect(r.received.length).toBeGreaterThan(1100);
  }, 180_000);

  it('a failing head holds its lane only: other keys and unkeyed events flow; when it dies (lenient) the lane moves on', async () => {
    const { r, sub, publish } = await setup('lenient', (b) => b.key === 'stuck' && b.seq === 0, {
      maxAttempts: 4,
      scheduleSeconds: [1, 1, 300],
    });
    await publish('stuck', 0);
    await publish('stuck', 1);
    await publish('stuck', 2);
    for (let i = 0; i < 20; i++) await publish(i % 2 ? 'free' : undefined, 100 + i);
    // Everything else arrives while the stuck head waits out its third retry (300 s scaled: 6 s).
    await expect
      .poll(() => (r.accepted.get('free')?.length ?? 0) + (r.accepted.get('none')?.length ?? 0), { timeout: 30_000 })
      .toBe(20);
    const head = (await rowsOf(sub.id)).find((d) => d.orderingKey === 'stuck')!;
    const behind = (await rowsOf(sub.id)).filter((d) => d.orderingKey === 'stuck' && d.id !== head.id);
    expect(behind.every((d) => d.attemptCount === 0 && d.status === 'pending')).toBe(true);
    const { data: lanes } = await listBlockedLanes(engine.ctx, platformScope, sub.id, { limit: 50 });
    expect(lanes).toEqual([
      expect.objectContaining({
        orderingKey: 'stuck',
        waiting: 2,
        head: expect.objectContaining({ deliveryId: head.id, status: 'pending' }),
      }),
    ]);

    // The head dies after its 4th attempt; lenient: the lane moves on, in order.
    await waitForStatus(engine.ctx, head.id, 'dead');
    await expect.poll(() => r.accepted.get('stuck') ?? [], { timeout: 30_000 }).toEqual([1, 2]);
    expect((await attemptsOf(engine.ctx, behind[0]!.id))[0]!.startedAt.getTime()).toBeGreaterThanOrEqual(
      (await attemptsOf(engine.ctx, head.id)).at(-1)!.startedAt.getTime(),
    );
    expect((await rowsOf(sub.id)).find((d) => d.id === head.id)!.laneHold).toBe(false);
    expect((await listBlockedLanes(engine.ctx, platformScope, sub.id, { limit: 50 })).data).toEqual([]);
  }, 60_000);

  it('strict: a dead head blocks its lane until skipped; a replay of it goes first again', async () => {
    let headFails = true;
    const { r, sub, publish } = await setup('strict', (b) => b.key === 'a' && b.seq === 0 && headFails, {
      maxAttempts: 2,
      scheduleSeconds: [1],
    });
    await publish('a', 0);
    await publish('a', 1);
    await publish('a', 2);
    await publish('b', 0);
    await expect.poll(() => r.accepted.get('b') ?? [], { timeout: 30_000 }).toEqual([0]);
    const [head] = (await rowsOf(sub.id)).filter((d) => d.orderingKey === 'a');
    const dead = await waitForStatus(engine.ctx, head!.id, 'dead');
    expect(dead.laneHold).toBe(true);
    // Blocked: a dispatcher tick or two later, nothing behind it has been attempted.
    await new Promise((x) => setTimeout(x, 1500));
    expect(
      (await rowsOf(sub.id)).filter((d) => d.orderingKey === 'a' && d.id !== head!.id).map((d) => d.attemptCount),
    ).toEqual([0, 0]);
    const { data: lanes } = await listBlockedLanes(engine.ctx, platformScope, sub.id, { limit: 50 });
    expect(lanes).toEqual([
      expect.objectContaining({
        orderingKey: 'a',
        waiting: 2,
        head: expect.objectContaining({ deliveryId: head!.id, status: 'dead' }),
      }),
    ]);

    // A replay of the dead head goes first again, and the lane follows it.
    headFails = false;
    await replayDelivery(engine.ctx, platformScope, head!.id);
    await expect.poll(() => r.accepted.get('a') ?? [], { timeout: 30_000 }).toEqual([0, 1, 2]);
    await expect
      .poll(async () => (await rowsOf(sub.id)).filter((d) => d.orderingKey === 'a').map((d) => d.status), {
        timeout: 30_000,
      })
      .toEqual(['succeeded', 'succeeded', 'succeeded']);
  }, 60_000);

  it('skip head: a strict lane blocked by a dead letter moves on; the dead letter stays replayable; the skip is in the audit log', async () => {
    const { r, sub, publish } = await setup('strict', (b) => b.seq === 0, { maxAttempts: 1, scheduleSeconds: [1] });
    await publish('k', 0);
    await publish('k', 1);
    await publish('k', 2);
    const [head] = await rowsOf(sub.id);
    await waitForStatus(engine.ctx, head!.id, 'dead');
    await expect(skipLaneHead(engine.ctx, platformScope, sub.id, 'nope')).rejects.toMatchObject({
      code: 'conflict',
      field: 'orderingKey',
    });
    const skipped = await skipLaneHead(engine.ctx, platformScope, sub.id, 'k');
    expect(skipped).toEqual({ orderingKey: 'k', skippedDeliveryId: head!.id, status: 'dead' });
    await expect
      .poll(async () => (await rowsOf(sub.id)).map((d) => d.status), { timeout: 30_000 })
      .toEqual(['dead', 'succeeded', 'succeeded']);
    expect(r.accepted.get('k')).toEqual([1, 2]);
    const after = await rowsOf(sub.id);
    expect(after.map((d) => [d.status, d.laneHold])).toEqual([
      ['dead', false],
      ['succeeded', false],
      ['succeeded', false],
    ]);
    const audit = await engine.ctx.db.execute<{ before: unknown; after: unknown }>(
      `select before, after from audit_log where target_id = '${head!.id}' and action = 'delivery.lane_skipped'`,
    );
    expect([...audit]).toEqual([
      { before: { laneHold: true }, after: { laneHold: false, subscriptionId: sub.id, orderingKey: 'k' } },
    ]);
  }, 60_000);

  it('skip head of a failing, still pending head: it becomes a dead letter that says so, and the lane goes on', async () => {
    const { r, sub, publish } = await setup('lenient', (b) => b.seq === 0, { maxAttempts: 50, scheduleSeconds: [5] });
    await publish('p', 0);
    await publish('p', 1);
    const [head] = await rowsOf(sub.id);
    await expect
      .poll(async () => (await rowsOf(sub.id))[0]!.attemptCount, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(1);
    await expect
      .poll(async () => {
        try {
          return (await skipLaneHead(engine.ctx, platformScope, sub.id, 'p')).status;
        } catch (err) {
          // Its attempt was on the wire at that moment: a 409 that changes nothing; try again.
          if (err instanceof DomainError && err.code === 'conflict') return 'in flight';
          throw err;
        }
      })
      .toBe('dead');
    await expect.poll(() => r.accepted.get('p') ?? [], { timeout: 30_000 }).toEqual([1]);
    const [dead] = await rowsOf(sub.id);
    expect(dead).toMatchObject({ id: head!.id, status: 'dead', laneHold: false });
    expect(dead!.lastError).toMatch(/^skipped from its ordering lane \(last: HTTP 500\)$/);
  }, 60_000);

  it('refuses an ordering key that is empty, over 256 characters or holds a control character', () => {
    const base = { type: 'order.updated', customerId: 'cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E', data: {} };
    for (const [key, reason] of [
      ['', 'an ordering key cannot be empty'],
      ['x'.repeat(10_000), 'an ordering key is at most 256 characters'],
      ['a\nb', 'an ordering key cannot hold control characters'],
    ] as const) {
      const parsed = publishEventInput.safeParse({ ...base, orderingKey: key });
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues.map((i) => [i.path.join('.'), i.message])).toContainEqual(['orderingKey', reason]);
    }
    expect(publishEventInput.safeParse({ ...base, orderingKey: 'x'.repeat(256) }).success).toBe(true);
  });
});
