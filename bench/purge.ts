/**
 * `pnpm bench purge`: retention by DELETE against retention by dropping partitions, on the same
 * data in the same run. Two identical histories of expired events (default 1 M deliveries with one
 * attempt each, five deliveries per event, 40 days old) are seeded: one into a day range that has
 * its own partitions, one into the default partitions (where rows go when their range has no
 * partition, and where retention deletes row by row). Then each is purged by the code retention
 * runs (server/domain/upkeep): `dropExpiredPartitions` for the first, `purgeDefaultPartitions`
 * for the second. Printed per method: seconds, WAL bytes written, and the tables' size after.
 *
 *   pnpm bench purge [--deliveries 1000000]
 */
import { parseArgs } from 'node:util';
import { migrateDatabase } from '../server/migrate';
import { platformScope } from '../server/domain/context';
import { idFloor } from '../server/domain/ids';
import { createCustomer } from '../server/domain/tenants/customers';
import { createSubscription } from '../server/domain/subscriptions/subscription-changes';
import { dropExpiredPartitions, ensurePartitions, PARTITIONED, suffixOf } from '../server/domain/upkeep/partitions';
import { purgeDefaultPartitions } from '../server/domain/upkeep/retention';
import { rawClient } from '../server/db/client';
import { benchContext } from './lib/context';
import { benchDatabase, saveResult } from './lib/harness';
import { printTable } from './lib/table';

const DAY = 86_400_000;
const DELIVERIES_PER_EVENT = 5;
const CUSTOMERS = 50;
const CHUNK = 200_000;

export async function runPurge(argv: string[] = []) {
  const { values } = parseArgs({ args: argv, options: { deliveries: { type: 'string', default: '1000000' } } });
  const total = Number(values.deliveries);
  const db = await benchDatabase();
  await migrateDatabase(db.url);
  const ctx = await benchContext(db.url);
  const sql = rawClient(ctx.db);
  try {
    const tenants: Array<{ customerId: string; subs: string[] }> = [];
    for (let c = 0; c < CUSTOMERS; c++) {
      const cus = await createCustomer(ctx, platformScope, { name: `Purge ${c}` });
      const subs: string[] = [];
      for (let s = 0; s < DELIVERIES_PER_EVENT; s++) {
        subs.push(
          (
            await createSubscription(ctx, platformScope, {
              customerId: cus.id,
              url: `http://127.0.0.1:9/${c}/${s}`,
              eventTypes: ['*'],
            })
          ).id,
        );
      }
      tenants.push({ customerId: cus.id, subs });
    }
    // Two days 40 and 45 days ago: the first gets its partitions, the second has none (default).
    const partitionedDay = Math.floor((Date.now() - 40 * DAY) / DAY) * DAY;
    const defaultDay = Math.floor((Date.now() - 45 * DAY) / DAY) * DAY;
    await ensurePartitions(ctx.db, { now: new Date(partitionedDay), intervalDays: 1, ahead: 0 });

    /** `count` expired events' worth of deliveries made at `day` + 12 h: ids carry that time, so they land in its range. */
    const seed = async (day: number, tag: string) => {
      const evt = idFloor('event', day + 12 * 3600_000);
      const dlv = idFloor('delivery', day + 12 * 3600_000);
      const events = total / DELIVERIES_PER_EVENT;
      for (let from = 0; from < events; from += CHUNK / DELIVERIES_PER_EVENT) {
        const to = Math.min(events, from + CHUNK / DELIVERIES_PER_EVENT);
        await sql`
          with t as (
            select * from unnest(${tenants.map((t) => t.customerId)}::text[]) with ordinality as t(cus, k)
          ),
          g as (
            select g, t.cus, ${new Date(day + 12 * 3600_000).toISOString()}::timestamptz as at
            from generate_series(${from}::bigint, ${to - 1}::bigint) g join t on t.k = (g % ${CUSTOMERS}::int) + 1
          ),
          e as (
            insert into events (id, customer_id, type, body, retention_until, fanned_out_at, delivery_count, created_at)
            select ${evt}::text || ${tag}::text || lpad(g::text, 15, '0'), cus, 'history.event',
                   '{"type":"history.event","data":{"order":' || g || ',"note":"' || repeat('x', 400) || '"}}',
                   at + interval '30 days', at, ${DELIVERIES_PER_EVENT}::int, at
            from g
          ),
          d as (
            insert into deliveries (id, event_id, subscription_id, customer_id, event_type, status, attempt_count, next_attempt_at,
                                    cycle_started_at, last_attempt_at, last_response_status, completed_at, created_at, updated_at)
            select ${dlv}::text || ${tag}::text || lpad(g::text, 14, '0') || k, ${evt}::text || ${tag}::text || lpad(g::text, 15, '0'),
                   (${tenants.flatMap((t) => t.subs)}::text[])[((g % ${CUSTOMERS}::int) * ${DELIVERIES_PER_EVENT}::int + k)::int], cus, 'history.event',
                   'succeeded', 1, at, at, at, 200, at, at, at
            from g cross join generate_series(1, ${DELIVERIES_PER_EVENT}::int) k
          )
          insert into attempts (id, delivery_id, subscription_id, customer_id, attempt_seq, trigger, status, url, request_headers,
                                response_status, response_body, latency_ms, started_at)
          select 'att_' || ${tag}::text || g || '_' || k, ${dlv}::text || ${tag}::text || lpad(g::text, 14, '0') || k,
                 (${tenants.flatMap((t) => t.subs)}::text[])[((g % ${CUSTOMERS}::int) * ${DELIVERIES_PER_EVENT}::int + k)::int], cus, 1, 'initial', 'succeeded',
                 'http://127.0.0.1:9/hook', ${JSON.stringify({ 'content-type': 'application/json', 'webhook-signature': `v1,${'x'.repeat(44)}` })}::jsonb,
                 200, 'ok', 12, at
          from g cross join generate_series(1, ${DELIVERIES_PER_EVENT}::int) k`;
      }
    };
    const seedStart = performance.now();
    await seed(partitionedDay, 'P');
    await seed(defaultDay, 'D');
    await sql`vacuum analyze`;
    const seedSeconds = (performance.now() - seedStart) / 1000;

    type Where = 'partition' | 'default';
    const dayOf = (where: Where) => (where === 'default' ? defaultDay : partitionedDay);
    const size = async (where: Where) => {
      const names = PARTITIONED.map(
        ({ table }) => `${table}_${where === 'default' ? 'default' : suffixOf(partitionedDay)}`,
      );
      const [row] = await sql<
        { bytes: string }[]
      >`select coalesce(sum(pg_total_relation_size(to_regclass(n))), 0)::text as bytes from unnest(${names}::text[]) n`;
      return Number(row!.bytes);
    };
    const counts = async (where: Where) => {
      const [from, to] = [idFloor('delivery', dayOf(where)), idFloor('delivery', dayOf(where) + DAY)];
      const [row] = await sql<{ d: number; a: number }[]>`
        select (select count(*)::int from deliveries where id >= ${from} and id < ${to}) as d,
               (select count(*)::int from attempts where delivery_id >= ${from} and delivery_id < ${to}) as a`;
      return row!;
    };
    const wal = async () =>
      Number((await sql<{ lsn: string }[]>`select (pg_current_wal_lsn() - '0/0'::pg_lsn)::text as lsn`)[0]!.lsn);

    type Row = Record<string, string | number | null>;
    const rows: Row[] = [];
    const measure = async (method: string, where: Where, run: () => Promise<number>) => {
      const before = { ...(await counts(where)), bytes: await size(where) };
      const w0 = await wal();
      const t0 = performance.now();
      const events = await run();
      const seconds = (performance.now() - t0) / 1000;
      const walBytes = (await wal()) - w0;
      const after = await counts(where);
      rows.push({
        method,
        'events purged': events,
        'deliveries + attempts before': before.d + before.a,
        'left after': after.d + after.a,
        seconds: Number(seconds.toFixed(2)),
        'WAL MiB': Number((walBytes / 2 ** 20).toFixed(1)),
        'size before MiB': Number((before.bytes / 2 ** 20).toFixed(1)),
        'size after MiB': Number(((await size(where)) / 2 ** 20).toFixed(1)),
      });
    };
    const now = new Date();
    await measure('DELETE in batches of 1,000 events (default partition)', 'default', () =>
      purgeDefaultPartitions({ ...ctx, now: () => now }, 1000),
    );
    await measure(
      'DROP the day’s partitions',
      'partition',
      async () => (await dropExpiredPartitions(ctx.db, { now, retentionDays: 30 })).events,
    );
    printTable(
      `Purging ${total.toLocaleString('en')} expired deliveries + as many attempts (seeded in ${seedSeconds.toFixed(0)} s)`,
      rows,
    );
    console.log(
      'Size after: a DELETE leaves the space to VACUUM (reused by later rows, not returned); a DROP returns it at once.',
    );
    saveResult('purge', { total, rows });
  } finally {
    await ctx.close();
    await db.stop();
  }
}
