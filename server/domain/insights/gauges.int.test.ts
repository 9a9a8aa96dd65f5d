import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { bulkReplays, deliveries, events, subscriptions } from '../../../drizzle/schema';
import { startTestContext, type TestCtx } from '../../../tests/support/context';
import { databaseFamilies } from '../../api/metrics';
import { renderFamilies } from '../../metrics';
import { platformScope } from '../context';
import { createCustomer } from '../tenants/customers';
import { readDatabaseGauges } from './gauges';
import { newId } from '../ids';
import { createSubscription } from '../subscriptions/subscription-changes';
import { heartbeat, liveWorkers, removeWorker, workerIdentity } from '../upkeep/heartbeats';

let ctx: TestCtx;

beforeAll(async () => {
  ctx = await startTestContext('gauges');
});
afterAll(() => ctx?.close());

describe('database gauges for /api/metrics', () => {
  it('counts depth by state, the oldest due delivery per customer, breakers, replays and live workers', async () => {
    const now = Date.now();
    const ago = (s: number) => new Date(now - s * 1000);
    const a = await createCustomer(ctx, platformScope, { name: 'Backlogged' });
    const b = await createCustomer(ctx, platformScope, { name: 'Quiet' });
    const subA = await createSubscription(ctx, platformScope, {
      customerId: a.id,
      url: 'https://example.com/a',
      eventTypes: ['*'],
    });
    const subA2 = await createSubscription(ctx, platformScope, {
      customerId: a.id,
      url: 'https://example.com/a2',
      eventTypes: ['*'],
    });
    const subB = await createSubscription(ctx, platformScope, {
      customerId: b.id,
      url: 'https://example.com/b',
      eventTypes: ['*'],
    });
    await createSubscription(ctx, platformScope, {
      customerId: b.id,
      url: 'https://example.com/off',
      eventTypes: ['*'],
      active: false,
    });
    await ctx.db
      .update(subscriptions)
      .set({ breakerState: 'open', backlog: true })
      .where(eq(subscriptions.id, subA.id));
    await ctx.db.update(subscriptions).set({ breakerState: 'half_open' }).where(eq(subscriptions.id, subA2.id));
    await ctx.db.update(subscriptions).set({ backlog: true }).where(eq(subscriptions.id, subB.id));

    type State = { status: 'pending' | 'succeeded' | 'dead' | 'held'; next?: Date | null; queued?: Date | null };
    const seed = async (customerId: string, subscriptionId: string, states: State[]) => {
      for (const st of states) {
        const id = newId('event');
        await ctx.db
          .insert(events)
          .values({ id, customerId, type: 't', body: '{}', retentionUntil: new Date(now + 86400_000) });
        await ctx.db.insert(deliveries).values({
          id: newId('delivery'),
          eventId: id,
          subscriptionId,
          customerId,
          eventType: 't',
          status: st.status,
          nextAttemptAt: st.next ?? null,
          queuedAt: st.queued ?? null,
        });
      }
    };
    await seed(a.id, subA.id, [
      { status: 'pending', next: ago(120) }, // due for 2 minutes: the oldest
      { status: 'pending', next: ago(30) },
      { status: 'pending', next: new Date(now + 3600_000) }, // a retry scheduled in an hour: pending, not due
      { status: 'held' },
      { status: 'held' },
      { status: 'dead' },
      { status: 'dead' },
      { status: 'dead' },
      { status: 'succeeded' },
    ]);
    await seed(b.id, subB.id, [
      { status: 'pending', next: ago(10), queued: ago(9) }, // in the window, waiting for a worker
      { status: 'pending', next: ago(5) },
      { status: 'dead' },
      { status: 'succeeded' },
      { status: 'succeeded' },
    ]);
    await ctx.db.insert(bulkReplays).values({ id: newId('replay'), customerId: b.id, filter: {}, total: 1 });
    const live = workerIdentity();
    await heartbeat(ctx, live, 7);
    const gone = workerIdentity();
    await heartbeat(ctx, gone, 3);
    await ctx.db.execute(
      `update worker_heartbeats set last_seen_at = now() - interval '5 minutes' where id = '${gone.id}'`,
    );

    const g = await readDatabaseGauges(ctx);
    // pending: waiting in the table (3 of A, 1 of B); due: those whose time has come (2 + 1); queued: B's one in its window.
    expect(g.deliveries).toEqual({ pending: 4, due: 3, queued: 1, held: 2, dead: 4 });
    expect(g.oldestDue.map((o) => o.customerId)).toEqual([a.id, b.id]);
    expect(g.oldestDue[0]!.ageSeconds).toBeGreaterThanOrEqual(119);
    expect(g.oldestDue[0]!.ageSeconds).toBeLessThan(600);
    expect(g.oldestDue[1]!.ageSeconds).toBeGreaterThanOrEqual(9);
    expect(g.breakers).toEqual({ closed: 1, open: 1, half_open: 1 });
    expect(g.bulkReplaysRunning).toBe(1);
    expect(g.workers).toEqual({ live: 1, stopping: 0, inFlight: 7 });
    expect(g.queues.map((q) => q.queue).sort()).toEqual([
      'bulk-replay',
      'customer-expunge',
      'deliver',
      'depth-sample',
      'expunge-rescrub',
      'fanout',
      'retention',
      'usage-rollup',
    ]);

    const text = renderFamilies(databaseFamilies(g));
    expect(text).toContain('hookrelay_database_up 1');
    expect(text).toContain('hookrelay_deliveries{state="dead"} 4');
    expect(text).toContain('hookrelay_deliveries_due 3');
    expect(text).toMatch(
      new RegExp(`^hookrelay_oldest_due_delivery_age_seconds\\{customer_id="${a.id}"\\} 1[2-9]\\d`, 'm'),
    );
    expect(text).toContain('hookrelay_subscription_breakers{state="open"} 1');
    expect(text).toContain('hookrelay_workers{state="running"} 1');
    expect(renderFamilies(databaseFamilies(null))).toBe(
      '# HELP hookrelay_database_up Whether the last read of the database gauges succeeded (1) or not (0).\n# TYPE hookrelay_database_up gauge\nhookrelay_database_up 0\n',
    );

    // Draining and stopped workers.
    await heartbeat(ctx, live, 2, true);
    expect((await liveWorkers(ctx))[0]).toMatchObject({ id: live.id, stopping: true, inFlight: 2 });
    await removeWorker(ctx, live.id);
    expect(await liveWorkers(ctx)).toEqual([]);
  });
});
