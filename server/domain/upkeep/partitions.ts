import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client';
import type { Logger } from '../../log';
import { idFloor, timeOfId, type IdKind } from '../ids';

/**
 * Retention by partitions. `events`, `deliveries` and `attempts` are partitioned by range of an id
 * (migration 0013): events and deliveries by their own id, attempts by their delivery's. An id
 * begins with its time, and a delivery's id with its event's (`deliveryIdOf`), so an event, its
 * deliveries and every attempt of them, a replay's a month later too, share one time range. Each
 * range has one partition per table, named after the UTC day it starts (`events_p20261129`,
 * `deliveries_p20261129`, `attempts_p20261129`), PARTITION_DAYS long.
 *
 * `ensurePartitions` creates the current range and the next ones ahead (at migrate, and every
 * hour with the retention job). `dropExpiredPartitions` drops a range's three partitions once every
 * event in it is past its retention_until: no row-by-row delete, no WAL for the rows, no bloat.
 * Rows whose range has no partition (stored before migration 0013, or written while the ranges
 * ahead were missing) land in each table's DEFAULT partition and are purged row by row
 * (retention.ts); a range whose rows sit in a default partition is not created, so that writes
 * never fail.
 */
export const PARTITIONED: ReadonlyArray<{ table: string; key: string; kind: IdKind }> = [
  { table: 'events', key: 'id', kind: 'event' },
  { table: 'deliveries', key: 'id', kind: 'delivery' },
  { table: 'attempts', key: 'delivery_id', kind: 'delivery' },
];

const DAY = 86_400_000;
/** Ranges created ahead of the current one. */
export const PARTITIONS_AHEAD = 3;
/**
 * Partition DDL needs each parent table to itself for a moment, and every query on the table queues
 * behind it while it waits: it waits at most this long, gives way in a deadlock, and tries again.
 */
const LOCK_TIMEOUT = '1s';
const DDL_TRIES = 5;

export type Range = { from: number; to: number };

/** A range's rows already sit in a default partition: its partitions are not created. */
class StrayRows extends Error {}

/** A range's partition name suffix: the UTC day it starts. */
export function suffixOf(from: number): string {
  return `p${new Date(from).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/**
 * The ranges to create so that the one holding `now` and the `ahead` after it exist, given the
 * ranges that do. Ranges start at UTC midnight and last `intervalDays`, aligned on multiples of
 * the interval since the epoch; around an existing range of another length (the interval was
 * changed), new ones fill the gaps without overlapping it.
 */
export function rangesToCreate(existing: Range[], now: number, intervalDays: number, ahead: number): Range[] {
  const step = intervalDays * DAY;
  const alignedAfter = (t: number) => (Math.floor(t / step) + 1) * step;
  const end = Math.floor(now / step) * step + (ahead + 1) * step;
  const sorted = [...existing].sort((a, b) => a.from - b.from);
  const out: Range[] = [];
  let cursor = Math.floor(now / step) * step;
  while (cursor < end) {
    const covering = sorted.find((r) => r.from <= cursor && cursor < r.to);
    if (covering) {
      cursor = covering.to;
      continue;
    }
    const nextExisting = sorted.find((r) => r.from > cursor);
    const to = Math.min(alignedAfter(cursor), nextExisting?.from ?? Infinity);
    out.push({ from: cursor, to });
    cursor = to;
  }
  return out;
}

/** The time ranges that have partitions, from `events` (the three tables move in step). */
export async function existingRanges(db: Db): Promise<Array<Range & { suffix: string }>> {
  const rows = await db.execute<{ name: string; bound: string }>(sql`
    select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'events'::regclass`);
  const ranges: Array<Range & { suffix: string }> = [];
  for (const r of rows) {
    const m = /FROM \('([^']+)'\) TO \('([^']+)'\)/.exec(r.bound);
    if (!m) continue; // the default partition
    ranges.push({ from: timeOfId(m[1]!), to: timeOfId(m[2]!), suffix: r.name.replace(/^events_/, '') });
  }
  return ranges.sort((a, b) => a.from - b.from);
}

/**
 * Creates the missing partitions of the current range and the `ahead` ranges after it, each range's
 * three in one transaction. A range some of whose rows already sit in a default partition is left
 * out (creating it would have to move them; they are purged row by row instead) and reported.
 * Returns the suffixes created.
 */
export async function ensurePartitions(
  db: Db,
  opts: { now: Date; intervalDays: number; ahead?: number; log?: Logger | undefined },
): Promise<string[]> {
  const todo = rangesToCreate(
    await existingRanges(db),
    opts.now.getTime(),
    opts.intervalDays,
    opts.ahead ?? PARTITIONS_AHEAD,
  );
  const created: string[] = [];
  for (const range of todo) {
    const suffix = suffixOf(range.from);
    const done = await ddl(db, opts.log, `create ${suffix}`, async (tx) => {
      for (const { table, key, kind } of PARTITIONED) {
        const [from, to] = [idFloor(kind, range.from), idFloor(kind, range.to)];
        const [stray] = await tx.execute(
          sql`select 1 as x from ${sql.identifier(`${table}_default`)} where ${sql.identifier(key)} >= ${from} and ${sql.identifier(key)} < ${to} limit 1`,
        );
        if (stray) {
          opts.log?.warn(
            { table, range: suffix },
            'partitions: rows of this range are in the default partition; range left to it',
          );
          throw new StrayRows();
        }
        await tx.execute(
          sql.raw(
            `create table if not exists ${table}_${suffix} partition of ${table} for values from ('${from}') to ('${to}')`,
          ),
        );
      }
      return true;
    }).catch((err: unknown) => {
      if (err instanceof StrayRows) return false;
      throw err;
    });
    if (done) created.push(suffix);
  }
  if (created.length) opts.log?.info({ created }, 'partitions: created');
  return created;
}

/**
 * Drops each range's three partitions once nothing in it may be kept: the range has ended and
 * every event in it is past its retention_until (an empty range: ended RETENTION_DAYS ago).
 * Returns the suffixes dropped and the events they held.
 */
export async function dropExpiredPartitions(
  db: Db,
  opts: { now: Date; retentionDays: number; log?: Logger | undefined },
): Promise<{ dropped: string[]; events: number }> {
  const now = opts.now.getTime();
  const dropped: string[] = [];
  let events = 0;
  for (const range of await existingRanges(db)) {
    if (range.to > now) continue;
    const [stats] = await db.execute<{ latest: string | null; n: number }>(
      sql.raw(`select max(retention_until)::text as latest, count(*)::int as n from events_${range.suffix}`),
    );
    const latest = stats?.latest ? Date.parse(stats.latest) : null;
    const expired = latest === null ? range.to + opts.retentionDays * DAY <= now : latest <= now;
    if (!expired) continue;
    const done = await ddl(db, opts.log, `drop ${range.suffix}`, async (tx) => {
      // Attempts, then deliveries, then events: a reader never finds an attempt without its delivery.
      for (const { table } of [...PARTITIONED].reverse())
        await tx.execute(sql.raw(`drop table if exists ${table}_${range.suffix}`));
      return true;
    });
    if (!done) continue;
    dropped.push(range.suffix);
    events += stats?.n ?? 0;
  }
  if (dropped.length) opts.log?.info({ dropped, events }, 'partitions: dropped expired');
  return { dropped, events };
}

/**
 * Runs partition DDL in a transaction that yields to traffic: a short lock_timeout, and in a
 * deadlock with a running transaction this one is the victim where the server lets it choose (a
 * short deadlock_timeout, when the role may set it). Tried DDL_TRIES times; then left for the next
 * run (the ranges are made days ahead; until then rows go to the default partition), returning
 * false.
 */
async function ddl(
  db: Db,
  log: Logger | undefined,
  what: string,
  body: (tx: Tx) => Promise<boolean>,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        await tx.execute(sql.raw(`set local lock_timeout = '${LOCK_TIMEOUT}'`));
        // On Citus: the tables reference a reference table (customers), so their DDL must use one
        // connection per node (a harmless placeholder setting on PostgreSQL).
        await tx.execute(sql.raw(`set local citus.multi_shard_modify_mode = 'sequential'`));
        await tx.execute(
          sql.raw(
            `do $$ begin perform set_config('deadlock_timeout', '50ms', true); exception when insufficient_privilege then null; end $$`,
          ),
        );
        return body(tx);
      });
    } catch (err) {
      // Drizzle wraps the driver's error; the SQLSTATE is on it or on its cause.
      const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
      if (code !== '55P03' && code !== '40P01') throw err;
      if (attempt >= DDL_TRIES) {
        log?.warn({ what, code }, 'partitions: the tables stayed busy; left for the next run');
        return false;
      }
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}
