import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestContext, type TestCtx } from '../../../tests/support/context';
import { rawClient } from '../../db/client';
import { platformScope } from '../context';
import { publishBatch } from '../events/publish-batch';
import { publishEvent } from '../events/publish';
import { runFanOutJob } from '../events/fanout';
import { createCustomer } from '../tenants/customers';
import { createSubscription, updateSubscription } from '../subscriptions/subscription-changes';
import { suffixOf } from '../upkeep/partitions';
import { admit } from './admission';

/**
 * What filling a window costs with a long backlog: the admission reads each partition's backlog
 * index in order and merges, so it touches about as many deliveries as it admits, not the whole
 * backlog of the subscription (which it did, sorting it, at every refill, while its ORDER BY said
 * `priority desc`, NULLS FIRST, against the index's NULLS LAST).
 */
let ctx: TestCtx;

beforeAll(async () => {
  ctx = await startTestContext('admission');
});

afterAll(() => ctx?.close());

describe('admission with a long backlog', () => {
  it('admits the oldest waiting deliveries and reads about as many as it admits', async () => {
    const BACKLOG = 3000;
    const WINDOW = 5;
    const customers = await Promise.all(
      [0, 1, 2, 3].map((i) => createCustomer(ctx, platformScope, { name: `Backlog ${i}` })),
    );
    const subs = [];
    for (const c of customers)
      for (let s = 0; s < 3; s++)
        subs.push(
          await createSubscription(ctx, platformScope, {
            customerId: c.id,
            url: 'http://127.0.0.1:9/hook',
            eventTypes: ['*'],
            maxInFlight: WINDOW,
          }),
        );
    // Each customer's events fan out to its 3 subscriptions: BACKLOG waiting per subscription.
    for (const c of customers)
      for (let b = 0; b < BACKLOG; b += 500)
        await publishBatch(
          ctx,
          platformScope,
          Array.from({ length: 500 }, (_, i) => ({ type: 'order.created', customerId: c.id, data: { n: b + i } })),
        );
    const raw = rawClient(ctx.db);
    // The windows filled at publish; their attempts finish (as recording them would leave them).
    await raw`update deliveries set status = 'succeeded', queued_at = null, completed_at = now() where queued_at is not null`;
    // Statistics as autovacuum keeps them for a partition with rows in it.
    await raw`analyze deliveries`;

    const sub = subs[0]!;
    const partition = `deliveries_${suffixOf(Math.floor(Date.now() / 86_400_000) * 86_400_000)}`;
    const { admitted, fetched, oldest } = await ctx.db.transaction(async (tx) => {
      const admitted = await admit(ctx, tx, {
        subscriptions: [{ id: sub.id, customerId: sub.customerId }],
        fast: true,
      });
      // This transaction's own counters: rows the index scans fetched from today's partition.
      const [stats] = await tx.execute<{ fetched: number }>(
        sql`select coalesce(idx_tup_fetch, 0)::int as fetched from pg_stat_xact_user_tables where relname = ${partition}`,
      );
      const oldest = await rawClient(tx)<{ id: string }[]>`
        select id from deliveries where subscription_id = ${sub.id} and customer_id = ${sub.customerId} and status = 'pending'
        order by priority desc, next_attempt_at, id limit ${WINDOW}`;
      return { admitted, fetched: stats?.fetched ?? 0, oldest };
    });
    expect(admitted).toHaveLength(WINDOW);
    // Oldest due first: the admitted are the first of the backlog in its order.
    expect(admitted.map((a) => a.id).sort()).toEqual(oldest.map((o) => o.id).sort());
    // The window count and the pick each read a handful of index entries; sorting the backlog would
    // have fetched all BACKLOG of them.
    expect(fetched).toBeLessThan(BACKLOG / 10);
  }, 120_000);
});

/** A subscription's deliveries as the window sees them, and the deliver jobs that exist for them. */
async function windowOf(subscriptionId: string) {
  const raw = rawClient(ctx.db);
  const rows = await raw<{ id: string; event_id: string; status: string; queued: boolean; jobs: number }[]>`
    select d.id, d.event_id, d.status, d.queued_at is not null as queued,
           (select count(*) from pgboss.job j, jsonb_array_elements(j.data->'deliveries') x
             where j.name = 'deliver' and j.state < 'completed' and x->>'id' = d.id)::int as jobs
    from deliveries d where d.subscription_id = ${subscriptionId} order by d.id`;
  const [sub] = await raw<{ backlog: boolean }[]>`select backlog from subscriptions where id = ${subscriptionId}`;
  return {
    queued: rows.filter((r) => r.queued).map((r) => r.id),
    waiting: rows.filter((r) => r.status === 'pending' && !r.queued).map((r) => r.id),
    held: rows.filter((r) => r.status === 'held').map((r) => r.id),
    // Every queued delivery has exactly one job, and nothing else has one.
    jobsMatchWindow: rows.every((r) => r.jobs === (r.queued ? 1 : 0)),
    eventOf: new Map(rows.map((r) => [r.id, r.event_id])),
    backlog: sub?.backlog ?? false,
  };
}

describe('admission at publish', () => {
  const events = (customerId: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ type: 'order.created', customerId, data: { n: i } }));

  it('fills the window, oldest first, and leaves the rest waiting and flagged', async () => {
    const c = await createCustomer(ctx, platformScope, { name: 'Window' });
    const sub = await createSubscription(ctx, platformScope, {
      customerId: c.id,
      url: 'http://127.0.0.1:9/hook',
      eventTypes: ['*'],
      maxInFlight: 3,
    });
    await publishBatch(ctx, platformScope, events(c.id, 5));
    const w = await windowOf(sub.id);
    expect(w.queued).toHaveLength(3);
    expect(w.waiting).toHaveLength(2);
    // Admission order among equals is the delivery id: the three first of them hold the window.
    expect([...w.queued, ...w.waiting].sort().slice(0, 3)).toEqual(w.queued);
    expect(w.jobsMatchWindow).toBe(true);
    expect(w.backlog).toBe(true);
  });

  it('a free slot goes to the oldest waiting delivery, not to the event just published', async () => {
    const c = await createCustomer(ctx, platformScope, { name: 'Backlog first' });
    const sub = await createSubscription(ctx, platformScope, {
      customerId: c.id,
      url: 'http://127.0.0.1:9/hook',
      eventTypes: ['*'],
      maxInFlight: 2,
    });
    await publishBatch(ctx, platformScope, events(c.id, 3));
    const before = await windowOf(sub.id);
    expect(before.waiting).toHaveLength(1);
    // One attempt finished and its slot is free, before any refill ran (as between a recording
    // transaction's commit and the next admission).
    const raw = rawClient(ctx.db);
    await raw`update deliveries set status = 'succeeded', queued_at = null, completed_at = now() where id = ${before.queued[0]!}`;
    // Its attempt leaves the job that carried it (a job carries every delivery a publish admitted).
    await raw`
      update pgboss.job set data = jsonb_set(data, '{deliveries}', (select jsonb_agg(x) from jsonb_array_elements(data->'deliveries') x where x->>'id' <> ${before.queued[0]!}))
      where name = 'deliver' and data->'deliveries' @> ${JSON.stringify([{ id: before.queued[0]! }])}::jsonb`;
    const fresh = await publishEvent(ctx, platformScope, { type: 'order.created', customerId: c.id, data: { n: 99 } });
    const after = await windowOf(sub.id);
    expect(after.queued).toEqual([before.queued[1]!, before.waiting[0]!].sort());
    expect(after.waiting.map((id) => after.eventOf.get(id))).toEqual([fresh.id]);
    expect(after.jobsMatchWindow).toBe(true);
  });

  it('a rate-limited subscription, one behind an open breaker and a paused one get nothing queued at publish', async () => {
    const c = await createCustomer(ctx, platformScope, { name: 'Not fast' });
    const limited = await createSubscription(ctx, platformScope, {
      customerId: c.id,
      url: 'http://127.0.0.1:9/limited',
      eventTypes: ['*'],
      rateLimitPerSecond: 5,
    });
    const broken = await createSubscription(ctx, platformScope, {
      customerId: c.id,
      url: 'http://127.0.0.1:9/broken',
      eventTypes: ['*'],
    });
    const paused = await createSubscription(ctx, platformScope, {
      customerId: c.id,
      url: 'http://127.0.0.1:9/paused',
      eventTypes: ['*'],
    });
    await updateSubscription(ctx, platformScope, paused.id, { active: false });
    await rawClient(
      ctx.db,
    )`update subscriptions set breaker_state = 'open', breaker_probe_at = now() + interval '1 hour' where id = ${broken.id}`;
    await publishBatch(ctx, platformScope, events(c.id, 2));
    for (const s of [limited, broken]) {
      const w = await windowOf(s.id);
      expect(w.queued).toEqual([]);
      expect(w.waiting).toHaveLength(2);
      expect(w.jobsMatchWindow).toBe(true);
      // The dispatcher admits them, at the rate limit, or the breaker's probe when its cool-down ends.
      expect(w.backlog).toBe(true);
    }
    const p = await windowOf(paused.id);
    expect(p).toMatchObject({ queued: [], waiting: [], jobsMatchWindow: true, backlog: false });
    expect(p.held).toHaveLength(2);
  });

  it('a broadcast fills each window once: running its fan-out again queues nothing twice', async () => {
    const subs = [];
    for (let i = 0; i < 3; i++) {
      const c = await createCustomer(ctx, platformScope, { name: `Broadcast ${i}` });
      for (let s = 0; s < 2; s++)
        subs.push(
          await createSubscription(ctx, platformScope, {
            customerId: c.id,
            url: 'http://127.0.0.1:9/hook',
            eventTypes: ['fan.once'],
          }),
        );
    }
    const e = await publishEvent(ctx, platformScope, { type: 'fan.once', data: {}, broadcast: true });
    await runFanOutJob(ctx, { eventId: e.id });
    // A crash after the commit but before the job completed: the job runs again on a fanned-out event
    // (a no-op), or, were the mark lost, over the same deliveries (their ids conflict: nothing new).
    await rawClient(ctx.db)`update broadcasts set fanned_out_at = null where id = ${e.id}`;
    await runFanOutJob(ctx, { eventId: e.id });
    for (const s of subs) {
      const w = await windowOf(s.id);
      expect(w.queued).toHaveLength(1);
      expect(w.jobsMatchWindow).toBe(true);
    }
  });
});
