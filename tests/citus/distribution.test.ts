import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { inject } from 'vitest';
import * as schema from '../../drizzle/schema';
import { distributedTables, referenceTables } from '../../server/db/citus';
import { customerScope, platformScope, type Ctx } from '../../server/domain/context';
import { createCustomer } from '../../server/domain/tenants/customers';
import { createSubscription, updateSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { publishEvent } from '../../server/domain/events/publish';
import { getEvent, listEvents } from '../../server/domain/events/event-reads';
import { getDelivery, listDeliveries } from '../../server/domain/delivery/delivery-reads';
import { replayDelivery } from '../../server/domain/replay/replay-delivery';
import { performAttempt } from '../../server/domain/delivery/attempt';
import { unbatchedIo } from '../support/attempt-io';
import { randomUUID } from 'node:crypto';
import { customerOverview, overviewInput } from '../../server/domain/insights/overview';
import { listDeliveriesInput } from '../../server/domain/delivery/inputs';
import { listEventsInput } from '../../server/domain/events/inputs';
import { deliveriesOf, startEngine, waitForStatus, type Engine } from '../support/engine';
import { startReceiver } from '../support/receiver';
import { withDatabase } from '../../scripts/lib/citus';

/**
 * What the distribution step (server/db/citus.ts) does on a real cluster: the layout, where rows
 * land, and that a customer's reads and writes each go to one shard.
 */
let engine: Engine;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let admin: postgres.Sql;

beforeAll(async () => {
  engine = await startEngine('citus-distribution');
  receiver = await startReceiver();
  admin = postgres(engine.url, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await admin.end();
  await receiver.close();
  await engine.stop();
});

type Placement = { table: string; shardid: string; nodeport: number };

/** The shard and node holding `customerId`'s rows of `table`. */
async function placementOf(table: string, customerId: string): Promise<Placement> {
  const [row] = await admin<Placement[]>`
    select ${table}::text as table, s.shardid::text as shardid, s.nodeport
    from citus_shards s
    where s.shardid = get_shard_id_for_distribution_column(${table}::regclass, ${customerId}::text)`;
  return row!;
}

describe('Citus layout', () => {
  it('distributes the tenant tables by customer_id, co-located, makes the shared tables reference tables, and leaves pg-boss local', async () => {
    const rows = await admin<{ name: string; method: string; column: string | null; colocation: number }[]>`
      select logicalrelid::regclass::text as name, partmethod as method,
             case when partmethod = 'h' then column_to_column_name(logicalrelid, partkey) end as column,
             colocationid as colocation
      from pg_dist_partition`;
    const byName = new Map(rows.map((r) => [r.name, r]));
    for (const t of distributedTables) {
      expect(byName.get(t), t).toMatchObject({ method: 'h', column: 'customer_id' });
    }
    expect(new Set(distributedTables.map((t) => byName.get(t)!.colocation)).size).toBe(1);
    for (const t of referenceTables) expect(byName.get(t)?.method, t).toBe('n');
    expect(rows.filter((r) => r.name.startsWith('pgboss.'))).toEqual([]);
    // pg-boss's tables exist, on the coordinator only.
    const [job] = await admin<
      { n: number }[]
    >`select count(*)::int as n from information_schema.tables where table_schema = 'pgboss' and table_name = 'job'`;
    expect(job!.n).toBe(1);
  });

  it('spreads customers over both worker nodes, and keeps each customer’s event, deliveries and attempts on one node', async () => {
    const { ctx } = engine;
    const customers: string[] = [];
    for (let i = 0; i < 12; i++) {
      const c = await createCustomer(ctx, platformScope, { name: `Spread ${i}` });
      await createSubscription(ctx, platformScope, {
        customerId: c.id,
        url: `${receiver.url}/${i}`,
        eventTypes: ['spread.*'],
      });
      customers.push(c.id);
    }
    const deliveryIds: string[] = [];
    for (const customerId of customers) {
      const e = await publishEvent(ctx, platformScope, { type: 'spread.test', customerId, data: { customerId } });
      const [d] = await deliveriesOf(ctx, e.id);
      deliveryIds.push(d!.id);
    }
    for (const id of deliveryIds) await waitForStatus(ctx, id, 'succeeded');

    const workerPorts = new Set(inject('citusWorkerUrls').map((u) => Number(new URL(u).port)));
    const nodes = new Set<number>();
    for (const customerId of customers) {
      const [event, delivery, attempt] = await Promise.all(
        ['events', 'deliveries', 'attempts'].map((t) => placementOf(t, customerId)),
      );
      // Co-located: the same node for the customer's three tables.
      expect(new Set([event!.nodeport, delivery!.nodeport, attempt!.nodeport]).size).toBe(1);
      expect(workerPorts.has(delivery!.nodeport)).toBe(true);
      nodes.add(delivery!.nodeport);
      // The rows are really there: read the shards on the worker node itself, not through the coordinator.
      const dbName = new URL(engine.url).pathname.slice(1);
      const node = postgres(withDatabase(`postgres://postgres@127.0.0.1:${delivery!.nodeport}/postgres`, dbName), {
        max: 1,
        onnotice: () => {},
      });
      try {
        const [d] = await node.unsafe<{ n: number }[]>(
          `select count(*)::int as n from deliveries_${delivery!.shardid} where customer_id = $1`,
          [customerId],
        );
        const [a] = await node.unsafe<{ n: number }[]>(
          `select count(*)::int as n from attempts_${attempt!.shardid} where customer_id = $1`,
          [customerId],
        );
        expect([d!.n, a!.n]).toEqual([1, 1]);
      } finally {
        await node.end();
      }
    }
    expect(nodes).toEqual(workerPorts);
  });
});

describe('single-shard reads and writes', () => {
  /**
   * A Ctx whose connections refuse any statement Citus would run on more than one shard
   * (`citus.multi_task_query_log_level = error`): whatever the domain functions below send for one
   * customer must be router queries, or the call fails naming the statement.
   */
  let strict: Ctx;
  let strictSql: postgres.Sql;

  beforeAll(() => {
    strictSql = postgres(engine.url, {
      max: 2,
      onnotice: () => {},
      connection: { 'citus.multi_task_query_log_level': 'error' },
    });
    strict = { ...engine.ctx, db: drizzle({ client: strictSql, schema }) };
  });
  afterAll(async () => {
    await strictSql.end();
  });

  it('the strict connection does refuse a multi-shard statement', async () => {
    await expect(strictSql`select count(*) from deliveries`).rejects.toThrow(/multi-task|multi-shard|more than one/i);
  });

  it('publish, the event list and page, a delivery, the overview and a replay of one customer each touch one shard', async () => {
    const { ctx } = engine;
    const c = await createCustomer(ctx, platformScope, { name: 'Router' });
    const sub = await createSubscription(ctx, platformScope, {
      customerId: c.id,
      url: `${receiver.url}/router`,
      eventTypes: ['router.*'],
    });
    const scope = customerScope(c.id);

    const published = await publishEvent(strict, scope, { type: 'router.test', data: { n: 1 } });
    const [d] = await deliveriesOf(ctx, published.id);
    await waitForStatus(ctx, d!.id, 'succeeded');

    const list = await listEvents(strict, scope, listEventsInput.parse({}));
    expect(list.data.map((e) => e.id)).toEqual([published.id]);
    const page = await getEvent(strict, scope, published.id);
    expect(page.deliveries.map((x) => x.subscriptionId)).toEqual([sub.id]);
    const delivery = await getDelivery(strict, scope, { id: d!.id });
    expect(delivery.attemptsTotal).toBe(1);
    const deliveries = await listDeliveries(strict, scope, listDeliveriesInput.parse({}));
    expect(deliveries.data).toHaveLength(1);
    await customerOverview(strict, scope, overviewInput.parse({}));
    await replayDelivery(strict, scope, d!.id);
    await expect
      .poll(async () => (await getDelivery(ctx, scope, { id: d!.id })).attemptsTotal, { timeout: 30_000 })
      .toBe(2);
  });
  it('an attempt of one customer — load, send, record with its retry, window refill, job completion — touches one shard', async () => {
    const { ctx } = engine;
    const c = await createCustomer(ctx, platformScope, { name: 'Router attempt' });
    const failing = await startReceiver(() => ({ status: 500 }));
    try {
      const sub = await createSubscription(ctx, platformScope, {
        customerId: c.id,
        url: `${failing.url}/x`,
        eventTypes: ['router.*'],
      });
      // Paused, so that no worker takes the delivery: this test performs its attempt itself.
      await updateSubscription(ctx, platformScope, sub.id, { active: false });
      const e = await publishEvent(strict, customerScope(c.id), { type: 'router.attempt', data: {} });
      const [held] = await deliveriesOf(ctx, e.id);
      // As admitted, without a job: the dispatcher leaves a queued delivery alone.
      await admin`update deliveries set status = 'pending', queued_at = now() where id = ${held!.id} and customer_id = ${c.id}`;
      await admin`update subscriptions set active = true where id = ${sub.id} and customer_id = ${c.id}`;
      const job = { id: randomUUID(), data: { deliveryId: held!.id, customerId: c.id, attempt: 1 } };
      await expect(performAttempt(strict, engine.sender, job, unbatchedIo(strict))).resolves.toBe('sent');
      const after = await getDelivery(ctx, platformScope, { id: held!.id });
      expect(after).toMatchObject({ status: 'pending', attemptCount: 1, attemptsTotal: 1 });
      expect(failing.received).toHaveLength(1);
    } finally {
      await failing.close();
    }
  });
});
