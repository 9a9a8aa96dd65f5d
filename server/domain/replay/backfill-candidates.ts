import { and, eq, gt, gte, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { events } from '../../../drizzle/schema';
import type { BackfillMatch } from '../../../drizzle/schema';
import { rawClient, type Queryable } from '../../db/client';
import { lazyBody, targetsOf, type Candidate } from '../events/targeting';
import { deliveryIdOf, idFloor } from '../ids';
import { matchesAny } from '../patterns';
import { typeFilter } from '../type-filter';

/** A backfill's range of publish times, `[from, to)`; `clampedFrom`: the `from` asked for, when the retention window cut it. */
export type Range = { from: Date; to: Date; clampedFrom: Date | null };

/** Any of `patterns`, as SQL on the event type (undefined when one is `*`: every type). */
function anyPattern(patterns: readonly string[]): SQL | undefined {
  const each = patterns.map((p) => typeFilter(events.type, p));
  return each.some((c) => c === undefined) ? undefined : or(...each);
}

/**
 * The events a backfill examines: the customer's own rows in the range (an id begins with its
 * publish time, so the range is an id range: the `(customer_id, id)` index, and partitions outside
 * it are skipped), retained, not expunged, of a type the subscription's patterns (and the request's
 * narrower `eventTypes`) match, in a channel it listens to. This is the fan-out's type and channel
 * test written as SQL, so that counting needs no rows; `examine` decides each event with the
 * fan-out's own code all the same.
 */
export function candidates(
  customerId: string,
  match: BackfillMatch,
  narrow: readonly string[] | undefined,
  range: Range,
  now: Date,
  after?: string | null,
): SQL {
  return and(
    eq(events.customerId, customerId),
    gte(events.id, idFloor('event', range.from.getTime())),
    lt(events.id, idFloor('event', range.to.getTime())),
    after ? gt(events.id, after) : undefined,
    gt(events.retentionUntil, now),
    isNull(events.expungedAt),
    anyPattern(match.eventTypes),
    narrow ? anyPattern(narrow) : undefined,
    match.channels.length
      ? sql`${events.channels} && array[${sql.join(
          match.channels.map((c) => sql`${c}`),
          sql`, `,
        )}]::text[]`
      : undefined,
  )!;
}

/** How many events `candidates` holds, counting at most `cap` (one index range; no bodies read). */
export async function countCandidates(q: Queryable, where: SQL, cap: number): Promise<number> {
  const [row] = await q.select({ n: sql<number>`count(*)::int` }).from(
    q
      .select({ one: sql`1`.as('one') })
      .from(events)
      .where(where)
      .limit(cap)
      .as('c'),
  );
  return row?.n ?? 0;
}

export type Examined = {
  id: string;
  type: string;
  orderingKey: string | null;
  verdict: 'send' | 'received' | 'filtered';
  pattern: string | null;
};

/**
 * One page of candidate events, oldest first, each decided: `received` when the subscription has its
 * delivery already (the deterministic id, looked up by primary key), else `send` when the fan-out's
 * `targetsOf` sends it there today (patterns, channels, payload filter), else `filtered`. Bodies are
 * read only for a subscription with a filter, and only for the events not yet received.
 */
export async function examinePage(
  q: Queryable,
  sub: Candidate,
  narrow: readonly string[] | undefined,
  where: SQL,
  size: number,
): Promise<{ examined: Examined[]; full: boolean }> {
  const rows = await q
    .select({ id: events.id, type: events.type, channels: events.channels, orderingKey: events.orderingKey })
    .from(events)
    .where(where)
    .orderBy(events.id)
    .limit(size);
  if (rows.length === 0) return { examined: [], full: false };
  const ids = rows.map((e) => deliveryIdOf(e.id, sub.id));
  const have = await rawClient(q)<
    { id: string }[]
  >`select id from deliveries where customer_id = ${sub.customerId} and id = any(${ids}::text[])`;
  const received = new Set(have.map((d) => d.id));
  const open = rows.filter((e, i) => !received.has(ids[i]!));
  const bodies =
    sub.filter && open.length
      ? new Map(
          (
            await rawClient(q)<{ id: string; body: string }[]>`
              select id, body from events where customer_id = ${sub.customerId} and id = any(${open.map((e) => e.id)}::text[]) and expunged_at is null`
          ).map((e) => [e.id, e.body]),
        )
      : null;
  const examined = rows.map((e, i): Examined => {
    const seen = { id: e.id, type: e.type, orderingKey: e.orderingKey };
    if (received.has(ids[i]!)) return { ...seen, verdict: 'received', pattern: null };
    const body = bodies?.get(e.id);
    // Purged or expunged meanwhile: nothing left to filter on, nor to send.
    if (bodies && (body === undefined || body === '')) return { ...seen, verdict: 'filtered', pattern: null };
    if (narrow && !matchesAny(narrow, e.type)) return { ...seen, verdict: 'filtered', pattern: null };
    const [target] = targetsOf(
      [sub],
      e.type,
      body === undefined ? () => undefined : lazyBody(body),
      e.channels,
    ).targets;
    return target
      ? { ...seen, verdict: 'send', pattern: target.pattern }
      : { ...seen, verdict: 'filtered', pattern: null };
  });
  return { examined, full: rows.length === size };
}
