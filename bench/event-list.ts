/**
 * `pnpm bench event-list`: a customer's event list at 5 M event rows, newest first, without and with
 * a tag or channel filter, before and after the GIN indexes over (customer_id, tags) and
 * (customer_id, channels) (migration 0016). Seeded with `generate_series` in a fresh database on
 * DATABASE_URL's server (or an embedded one): 5 M events over 100 customers and the last 7 days'
 * partitions; the timed customer holds 1 M of them. Every event of every customer is tagged alike:
 * `common` on 10%, `rare` on 0.1%; `absent` is on none; channels `ch-0` … `ch-19`, one each (5%).
 * The same list call the API makes (server/domain/events/event-reads.ts `listEvents`) is timed, median
 * and p95 of 9 runs, and EXPLAIN ANALYZE names the indexes its plan uses. `--rows` changes the size.
 */
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { resolveDatabase } from '../scripts/lib/database';
import { migrateDatabase } from '../server/migrate';
import { customerScope, platformScope } from '../server/domain/context';
import { listEvents } from '../server/domain/events/event-reads';
import { listEventsInput } from '../server/domain/events/inputs';
import { createCustomer } from '../server/domain/tenants/customers';
import { rawClient } from '../server/db/client';
import { idFloor } from '../server/domain/ids';
import { ensurePartitions } from '../server/domain/upkeep/partitions';
import { benchContext } from './lib/context';
import { saveResult } from './lib/harness';
import { percentile, printTable } from './lib/table';

const DAY = 86_400_000;
const CUSTOMERS = 100;
const STEP = 1_000_000;
const RUNS = 9;

const INDEXES = {
  events_customer_tags_idx: 'create index events_customer_tags_idx on events using gin (customer_id, tags)',
  events_customer_channels_idx: 'create index events_customer_channels_idx on events using gin (customer_id, channels)',
};

type Query = { name: string; input: Record<string, string>; where: string };
const QUERIES: Query[] = [
  { name: 'newest first', input: {}, where: '' },
  { name: 'tag on 10%', input: { tag: 'common' }, where: `and tags @> array['common']::text[]` },
  { name: 'tag on 0.1%', input: { tag: 'rare' }, where: `and tags @> array['rare']::text[]` },
  { name: 'tag on none', input: { tag: 'absent' }, where: `and tags @> array['absent']::text[]` },
  { name: 'channel on 5%', input: { channel: 'ch-7' }, where: `and channels @> array['ch-7']::text[]` },
  {
    name: 'tag 0.1% + channel',
    input: { tag: 'rare', channel: 'ch-0' },
    where: `and tags @> array['rare']::text[] and channels @> array['ch-0']::text[]`,
  },
];

export async function runEventList(argv: string[] = []) {
  const { values } = parseArgs({ args: argv, options: { rows: { type: 'string', default: '5000000' } } });
  const total = Number(values.rows);
  const db = await resolveDatabase({
    dir: '.data/pg-bench-event-list',
    port: 54361,
    database: 'hr_bench_event_list',
    fresh: true,
  });
  await migrateDatabase(db.url);
  const ctx = await benchContext(db.url);
  const sql = rawClient(ctx.db);
  try {
    console.log(
      `Event list benchmark: ${total.toLocaleString()} events over ${CUSTOMERS} customers; the timed customer holds one in ${5}.`,
    );
    const customers: string[] = [];
    for (let c = 0; c < CUSTOMERS; c++)
      customers.push((await createCustomer(ctx, platformScope, { name: `Customer ${c}` })).id);
    const reader = customers[0]!;
    const days = Array.from({ length: 7 }, (_, i) => Math.floor((Date.now() - (i + 1) * DAY) / DAY) * DAY);
    for (const day of days) await ensurePartitions(ctx.db, { now: new Date(day), intervalDays: 1, ahead: 0 });
    // Seeded without the GIN indexes (the "before"); they are built afterwards, as the migration
    // would on an existing table, and timed.
    for (const name of Object.keys(INDEXES)) await sql.unsafe(`drop index if exists ${name}`);

    const t0 = Date.now();
    for (let from = 0; from < total; from += STEP) {
      const to = Math.min(total, from + STEP);
      // Event g: day g % 7 (its id carries that day's time, so it lands in that day's partition);
      // the reader's when g % 5 = 0, else one of the 99 others; tags and channel by g / 5, so that
      // every customer's events carry them in the same shares.
      await sql`
        insert into events (id, customer_id, type, body, retention_until, created_at, fanned_out_at, delivery_count, tags, channels)
        select (${days.map((d) => idFloor('event', d + 12 * 3600_000 + 1))}::text[])[(g % 7)::int + 1] || lpad(g::text, 16, '0'),
               case when g % 5 = 0 then ${reader} else (${customers.slice(1)}::text[])[(g % ${CUSTOMERS - 1})::int + 1] end,
               'order.created', '{"type":"order.created","data":{"n":' || g || '}}',
               (${days.map((d) => new Date(d + 12 * 3600_000 + 30 * DAY).toISOString())}::text[])[(g % 7)::int + 1]::timestamptz,
               (${days.map((d) => new Date(d + 12 * 3600_000).toISOString())}::text[])[(g % 7)::int + 1]::timestamptz, now(), 1,
               case when (g / 5) % 1000 = 7 then array['common', 'rare'] when (g / 5) % 10 = 7 then array['common'] else '{}'::text[] end,
               array['ch-' || ((g / 5) % 20)]
        from generate_series(${from}::bigint, ${to - 1}::bigint) g`;
      console.log(`  seeded ${to.toLocaleString()} events`);
    }
    await sql`analyze events`;
    const seedSeconds = (Date.now() - t0) / 1000;

    const scope = customerScope(reader);
    const measure = async () => {
      const out: Record<string, { p50: number | null; p95: number | null; rows: number; plan: string }> = {};
      for (const q of QUERIES) {
        const input = listEventsInput.parse(q.input);
        const first = await listEvents(ctx, scope, input); // warms the plan and the cache
        const ms: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const t = performance.now();
          await listEvents(ctx, scope, input);
          ms.push(performance.now() - t);
        }
        const [explained] = await sql.unsafe<Array<{ 'QUERY PLAN': unknown }>>(
          `explain (analyze, format json) select id from events where customer_id = '${reader}' ${q.where} order by id desc limit 51`,
        );
        out[q.name] = {
          p50: percentile(ms, 50),
          p95: percentile(ms, 95),
          rows: first.data.length,
          plan: planSummary(explained?.['QUERY PLAN']),
        };
      }
      return out;
    };
    const before = await measure();
    const built: Record<string, number> = {};
    await sql`set maintenance_work_mem = '256MB'`;
    for (const [name, ddl] of Object.entries(INDEXES)) {
      const t = Date.now();
      await sql.unsafe(ddl);
      built[name] = (Date.now() - t) / 1000;
    }
    await sql`analyze events`;
    const after = await measure();
    const [sizes] = await sql<Array<{ tags: string; channels: string; list: string }>>`
      select pg_size_pretty(sum(pg_relation_size(i.indexrelid)) filter (where c.relname like '%customer_id_tags_idx')) as tags,
             pg_size_pretty(sum(pg_relation_size(i.indexrelid)) filter (where c.relname like '%customer_id_channels_idx')) as channels,
             pg_size_pretty(sum(pg_relation_size(i.indexrelid)) filter (where c.relname like '%customer_id_id_idx')) as list
      from pg_index i join pg_class c on c.oid = i.indexrelid join pg_inherits h on h.inhrelid = i.indrelid
      where h.inhparent = 'events'::regclass`;

    const rows = QUERIES.map((q) => ({
      query: q.name,
      found: after[q.name]!.rows,
      'before p50 ms': before[q.name]!.p50,
      'before p95 ms': before[q.name]!.p95,
      'after p50 ms': after[q.name]!.p50,
      'after p95 ms': after[q.name]!.p95,
      'plan before': before[q.name]!.plan,
      'plan after': after[q.name]!.plan,
    }));
    printTable(
      `A customer's event list (${(total / 5).toLocaleString()} of ${total.toLocaleString()} events are its own), first page of 50, ${RUNS} runs`,
      rows,
    );
    printTable('Seeding and index builds', [
      { step: `seed ${total.toLocaleString()} events (3 btree indexes)`, seconds: seedSeconds, size: '' },
      ...Object.entries(built).map(([name, s]) => ({
        step: `build ${name}`,
        seconds: s,
        size: (name.includes('tags') ? sizes?.tags : sizes?.channels) ?? '',
      })),
      { step: 'for scale: events_customer_id_idx (btree)', seconds: null, size: sizes?.list ?? '' },
    ]);
    console.log(`\nsaved ${saveResult('event-list', { total, seedSeconds, built, sizes, before, after })}`);
  } finally {
    await ctx.close();
    // Five million rows are a gigabyte on a shared server: the fresh database goes when done.
    if (!db.embedded) await dropDatabase(db.url);
    await db.stop();
  }
}

async function dropDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await sql.end();
  }
}

/** The scan nodes of a plan and the indexes they use, e.g. `Index Scan Backward(events_customer_id_idx)`. */
function planSummary(plan: unknown): string {
  const seen = new Set<string>();
  const walk = (node: Record<string, unknown>) => {
    const type = String(node['Node Type']);
    if (/Scan/.test(type)) {
      const index =
        typeof node['Index Name'] === 'string'
          ? node['Index Name'].replace(/^events_p\d+_|^events_default_/, 'events_…')
          : null;
      seen.add(`${type}${node['Scan Direction'] === 'Backward' ? ' Backward' : ''}${index ? ` (${index})` : ''}`);
    }
    for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? []) walk(child);
  };
  const root = (plan as Array<{ Plan: Record<string, unknown> }> | undefined)?.[0]?.Plan;
  if (root) walk(root);
  return [...seen].join(', ');
}
