import type postgres from 'postgres';

/**
 * How Hookrelay's tables are laid out on a Citus cluster (distributed PostgreSQL). `pnpm db:migrate`
 * applies it after the migrations whenever the database has the `citus` extension (a coordinator);
 * on plain PostgreSQL nothing here runs.
 *
 * - Tenant tables are distributed by `customer_id` and co-located: a customer's subscriptions,
 *   events, deliveries, attempts, bulk replays and depth samples live in the same shard, so every
 *   per-customer query and transaction runs on one node.
 * - Small tables read by every shard, or looked up before a customer is known, are reference tables
 *   (a copy on every node): customers (joined by the attempt path; its `external_id` is unique
 *   across customers), users and API keys (found by e-mail or key hash at sign-in, both unique
 *   across customers), portal tokens, the event-type catalog, and broadcasts (one row per broadcast,
 *   copied per customer into `events` at fan-out).
 * - Everything else stays local to the coordinator: pg-boss's schema, usage counters, the audit
 *   log and worker heartbeats. Citus commits a transaction that writes both a distributed and a
 *   coordinator-local table atomically (the coordinator is in the metadata). (Operational webhooks
 *   are subscriptions of the platform customer: distributed with every customer's, on its shard.)
 */
export const referenceTables = [
  'customers',
  'users',
  'api_keys',
  'portal_tokens',
  'event_types',
  'broadcasts',
] as const;

/** Distributed by customer_id, in foreign-key order (a table after the tables it references). */
export const distributedTables = [
  'subscriptions',
  'events',
  'event_keys',
  'deliveries',
  'attempts',
  'bulk_replays',
  'bulk_replay_items',
  'data_expunges',
  'subscription_depth_samples',
] as const;

/** Arbitrary constant for the advisory lock that serialises concurrent migrations' distribution step. */
const LOCK_KEY = 0x68726378; // "hrcx"

export async function hasCitus(sql: postgres.Sql): Promise<boolean> {
  const [row] = await sql<{ x: number }[]>`select 1 as x from pg_extension where extname = 'citus'`;
  return Boolean(row);
}

/**
 * Makes the reference and distributed tables what the lists above say, skipping those already
 * done, so it is safe to run after every migration. Returns the tables it changed. (`layout`: the
 * lists above; the migration tests pass an earlier release's.)
 */
export async function distributeTables(
  sql: postgres.Sql,
  layout: { reference: readonly string[]; distributed: readonly string[] } = {
    reference: referenceTables,
    distributed: distributedTables,
  },
): Promise<string[]> {
  const changed: string[] = [];
  const reserved = await sql.reserve();
  try {
    await reserved`select pg_advisory_lock(${LOCK_KEY})`;
    const done = new Set(
      (await reserved<{ name: string }[]>`select logicalrelid::regclass::text as name from pg_dist_partition`).map(
        (r) => r.name.replace(/^public\./, ''),
      ),
    );
    const todo = [...layout.reference, ...layout.distributed].filter((t) => !done.has(t));
    if (todo.length === 0) return changed;
    // Citus refuses a foreign key from a local table to a distributed one, which every step but
    // the last would leave: the foreign keys touching these tables come off, and go back on once
    // all of them are distributed (Citus then creates them shard by shard).
    const keys = await reserved<{ table: string; name: string; def: string }[]>`
      select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as def
      from pg_constraint
      where contype = 'f' and conparentid = 0 and (conrelid::regclass::text = any(${todo}) or confrelid::regclass::text = any(${todo}))`;
    for (const k of keys) await reserved.unsafe(`alter table ${k.table} drop constraint ${k.name}`);
    for (const table of layout.reference) {
      if (done.has(table)) continue;
      await reserved`select create_reference_table(${table})`;
      changed.push(table);
    }
    const [first] = layout.distributed;
    for (const table of layout.distributed) {
      if (done.has(table)) continue;
      const colocateWith = table === first ? 'default' : (first ?? 'default');
      await reserved`select create_distributed_table(${table}, 'customer_id', colocate_with => ${colocateWith})`;
      changed.push(table);
    }
    for (const k of keys) await reserved.unsafe(`alter table ${k.table} add constraint ${k.name} ${k.def}`);
  } finally {
    await reserved`select pg_advisory_unlock(${LOCK_KEY})`.catch(() => {});
    reserved.release();
  }
  return changed;
}
