import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestDatabase } from '../../tests/support/db';
import { createTestContext, type TestCtx } from '../../tests/support/context';
import { createDatabase } from './client';
import { distributedTables, referenceTables } from './citus';
import { migrateUpTo } from '../../tests/support/migrations';
import { migrateDatabase } from '../migrate';
import { newId } from '../domain/ids';
import { platformScope } from '../domain/context';
import { publishEvent } from '../domain/events/publish';
import { existingRanges, suffixOf } from '../domain/upkeep/partitions';
import { purgeExpired } from '../domain/upkeep/retention';

/**
 * Upgrading a database with rows in it across `0013_time_partitions` (events, deliveries and
 * attempts become partitioned tables), on PostgreSQL and, in the citus project, on a cluster whose
 * tables the previous release had already distributed.
 */
const DAY = 86_400_000;
let db: { url: string; drop(): Promise<void> };
let ctx: TestCtx;
const ids = {
  customer: newId('customer'),
  subscription: newId('subscription'),
  kept: newId('event'),
  expired: newId('event'),
  keptDelivery: newId('delivery'),
  expiredDelivery: newId('delivery'),
};

beforeAll(async () => {
  db = await createTestDatabase('migrations', { migrate: false });
  // What the release of 0012 distributed on Citus (event_keys came with 0013, data_expunges later).
  await migrateUpTo(db.url, 12, {
    reference: referenceTables,
    distributed: distributedTables.filter((t) => t !== 'event_keys' && t !== 'data_expunges'),
  });
  const database = createDatabase(db.url, { max: 1, applicationName: 'hookrelay-migrate-test' });
  const raw = database.sql;
  try {
    const body = JSON.stringify({ type: 'order.created', data: { n: 1 } });
    await raw`insert into customers (id, name) values (${ids.customer}, 'Before the upgrade')`;
    await raw`insert into subscriptions (id, customer_id, url, event_types, secret_enc) values (${ids.subscription}, ${ids.customer}, 'http://127.0.0.1:9/hook', '{*}', 'x')`;
    await raw`insert into events (id, customer_id, type, body, idempotency_key, retention_until)
              values (${ids.kept}, ${ids.customer}, 'order.created', ${body}, 'order-1', now() + interval '30 days'),
                     (${ids.expired}, ${ids.customer}, 'order.created', ${body}, null, now() - interval '1 day')`;
    await raw`insert into deliveries (id, event_id, subscription_id, customer_id, event_type, status)
              values (${ids.keptDelivery}, ${ids.kept}, ${ids.subscription}, ${ids.customer}, 'order.created', 'succeeded'),
                     (${ids.expiredDelivery}, ${ids.expired}, ${ids.subscription}, ${ids.customer}, 'order.created', 'succeeded')`;
    await raw`insert into attempts (id, delivery_id, subscription_id, customer_id, attempt_seq, trigger, status, url, request_headers, latency_ms, started_at)
              select ${newId('attempt')} || d, d, ${ids.subscription}, ${ids.customer}, 1, 'initial', 'succeeded', 'http://127.0.0.1:9/hook', '{}', 5, now()
              from unnest(${[ids.keptDelivery, ids.expiredDelivery]}::text[]) d`;
  } finally {
    await database.close();
  }
  await migrateDatabase(db.url);
  ctx = await createTestContext(db.url);
});

afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

describe('0013_time_partitions on a database with rows', () => {
  it('keeps every row, in the default partitions, and the idempotency key still answers', async () => {
    // Read from the partitions themselves: the rows stored before the upgrade are in the default ones.
    const counts = await ctx.db.execute<{ e: number; d: number; a: number }>(
      sql`select (select count(*)::int from events_default) as e, (select count(*)::int from deliveries_default) as d,
                 (select count(*)::int from attempts_default) as a`,
    );
    expect(counts[0]).toEqual({ e: 2, d: 2, a: 2 });
    const again = await publishEvent(ctx, platformScope, {
      type: 'order.created',
      data: { n: 1 },
      customerId: ids.customer,
      idempotencyKey: 'order-1',
    });
    expect(again).toMatchObject({ id: ids.kept, duplicate: true });
  });

  it('leaves out today’s partition, whose rows are in the default one, and makes the days after it', async () => {
    const ranges = await existingRanges(ctx.db);
    const today = Math.floor(Date.now() / DAY) * DAY;
    expect(ranges.map((r) => r.suffix)).not.toContain(suffixOf(today));
    expect(ranges.map((r) => r.suffix)).toContain(suffixOf(today + DAY));
  });

  it('purges the expired event stored before the upgrade, with its delivery and attempt, and keeps the other', async () => {
    expect(await purgeExpired(ctx)).toBe(1);
    const [left] = await ctx.db.execute<{ e: string[]; d: string[]; a: number }>(
      sql`select (select array_agg(id) from events) as e, (select array_agg(id) from deliveries) as d, (select count(*)::int from attempts) as a`,
    );
    expect(left).toEqual({ e: [ids.kept], d: [ids.keptDelivery], a: 1 });
  });
});
