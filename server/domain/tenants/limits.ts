import { and, count, eq, isNull, ne, sql } from 'drizzle-orm';
import { apiKeys, customers, subscriptions } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { DomainError } from '../errors';
import { rawClient, type Queryable, type Tx } from '../../db/client';

/**
 * Per-customer caps on what a customer can create with its own credentials (customer API keys and
 * dashboard sessions): active API keys (each key is its own rate-limit bucket) and subscriptions
 * (each is fanned out to on every matching event). Platform keys, the operator's own integration,
 * are not capped. Configured by CUSTOMER_MAX_API_KEYS and CUSTOMER_MAX_SUBSCRIPTIONS.
 */
export type Quota = 'apiKeys' | 'subscriptions';

const quotas: Record<
  Quota,
  {
    what: string;
    setting: string;
    free: string;
    max: (c: Ctx['config']) => number;
    used: (tx: Tx, customerId: string) => Promise<number>;
  }
> = {
  apiKeys: {
    what: 'active API keys',
    setting: 'CUSTOMER_MAX_API_KEYS',
    free: 'revoke one to create another',
    max: (c) => c.customerMaxApiKeys,
    used: async (tx, customerId) =>
      (
        await tx
          .select({ n: count() })
          .from(apiKeys)
          .where(and(eq(apiKeys.customerId, customerId), isNull(apiKeys.revokedAt)))
      )[0]!.n,
  },
  subscriptions: {
    what: 'subscriptions',
    setting: 'CUSTOMER_MAX_SUBSCRIPTIONS',
    free: 'delete one to create another',
    max: (c) => c.customerMaxSubscriptions,
    used: async (tx, customerId) =>
      (await tx.select({ n: count() }).from(subscriptions).where(eq(subscriptions.customerId, customerId)))[0]!.n,
  },
};

/**
 * Inside the creating transaction: locks the customer's row (NO KEY UPDATE: concurrent creations for
 * the same customer queue up behind each other, while inserts that merely reference the customer do
 * not wait), then refuses with 409 when a customer's own request would go past its cap.
 * A customer that does not exist is a 404.
 */
export async function reserveForCustomer(
  ctx: Ctx,
  tx: Tx,
  scope: Scope,
  customerId: string,
  quota: Quota,
): Promise<void> {
  const [customer] = await tx
    .select({ id: customers.id })
    .from(customers)
    .where(eq(customers.id, customerId))
    .for('no key update');
  if (!customer) throw new DomainError('not_found', 'customer not found', { field: 'customerId' });
  if (scope.kind !== 'customer') return;
  const q = quotas[quota];
  const max = q.max(ctx.config);
  if ((await q.used(tx, customerId)) >= max) {
    throw new DomainError(
      'conflict',
      `limit reached: a customer may have at most ${max} ${q.what} (${q.setting}); ${q.free}`,
    );
  }
}

/** The window a new subscription gets when it names none: 10, or the ceiling when that is lower. */
export const defaultWindow = (ctx: Ctx): number => Math.min(10, ctx.config.subscriptionMaxInFlight);

/**
 * A subscription's window (`maxInFlight`: deliveries queued in pg-boss at once) is bounded twice, so
 * one customer cannot fill the queue that every customer's deliveries are fetched from: each window
 * by the platform's ceiling (SUBSCRIPTION_MAX_IN_FLIGHT, a 400), and, for a customer's own requests,
 * the sum of its windows by CUSTOMER_MAX_IN_FLIGHT_TOTAL (a 409 naming the room left). Inside the
 * writing transaction: the customer's row is locked, so concurrent writes cannot both take the room.
 * `subscriptionId`: the subscription being changed (its current window does not count against it).
 */
export async function reserveWindow(
  ctx: Ctx,
  tx: Tx,
  scope: Scope,
  customerId: string,
  window: number,
  subscriptionId?: string,
): Promise<void> {
  const ceiling = ctx.config.subscriptionMaxInFlight;
  if (window > ceiling) {
    throw new DomainError('bad_request', `maxInFlight may be at most ${ceiling} (SUBSCRIPTION_MAX_IN_FLIGHT)`, {
      field: 'maxInFlight',
    });
  }
  if (scope.kind !== 'customer') return;
  await tx.select({ id: customers.id }).from(customers).where(eq(customers.id, customerId)).for('no key update');
  const used = await windowsInUse(ctx, tx, customerId, subscriptionId);
  const max = ctx.config.customerMaxInFlightTotal;
  if (used + window > max) {
    const room = Math.max(0, max - used);
    throw new DomainError(
      'conflict',
      `maxInFlight ${window} is more than the room left: a customer's subscription windows may add up to at most ${max} (CUSTOMER_MAX_IN_FLIGHT_TOTAL); ${used} are taken by its other subscriptions, ${room} remain`,
      { field: 'maxInFlight' },
    );
  }
}

/**
 * The daily event quota (CUSTOMER_MAX_EVENTS_PER_DAY; unset: none): how many more events each of
 * `customerIds` may publish today (UTC), whoever publishes them (a customer's key or the platform on
 * its behalf; broadcasts are not counted against it). Read in the accepting transaction without a
 * lock: concurrent publishes may overshoot it by what they carry. Null: no quota.
 */
export async function eventsRoomToday(
  ctx: Ctx,
  tx: Tx,
  customerIds: string[],
  now: Date,
): Promise<Map<string, number> | null> {
  const max = ctx.config.customerMaxEventsPerDay;
  if (max === null) return null;
  const used = await eventsPublishedOn(tx, customerIds, now);
  return new Map(customerIds.map((c) => [c, Math.max(0, max - (used.get(c) ?? 0))]));
}

/** The refusal of an event past its customer's daily quota: a 429 until midnight UTC. */
export function dailyQuotaReached(ctx: Ctx, now: Date): DomainError {
  const max = ctx.config.customerMaxEventsPerDay ?? 0;
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const retryAfterSeconds = Math.max(1, Math.ceil((midnight - now.getTime()) / 1000));
  return new DomainError(
    'rate_limited',
    `daily event quota reached: this customer may publish at most ${max} events per UTC day (CUSTOMER_MAX_EVENTS_PER_DAY); it resets at 00:00 UTC, in ${retryAfterSeconds}s`,
    { retryAfterSeconds },
  );
}

/**
 * The first of the UTC days the stored-bytes quota counts: the last `retentionDays` (rounded up),
 * today included. An approximation of what retention still holds: events leave by their own
 * `retention_until` and by whole partitions, not at a UTC day's end.
 */
export function retainedFrom(now: Date, retentionDays: number): string {
  const days = Math.max(1, Math.ceil(retentionDays));
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (days - 1) * 86400_000).toISOString().slice(0, 10);
}

/**
 * The stored-bytes quota (CUSTOMER_MAX_STORED_BYTES; unset: none): how many more body bytes each of
 * `customerIds` may store, its stored bytes being what it published over the retained days (a
 * broadcast's copy included), whoever published it. Read in the accepting transaction without a
 * lock, like the daily quota: concurrent publishes may overshoot it by what they carry. Null: no quota.
 */
export async function storedBytesRoom(
  ctx: Ctx,
  tx: Tx,
  customerIds: string[],
  now: Date,
): Promise<Map<string, number> | null> {
  const max = ctx.config.customerMaxStoredBytes;
  if (max === null) return null;
  const used = await bytesPublishedSince(tx, customerIds, retainedFrom(now, ctx.config.retentionDays), now);
  return new Map(customerIds.map((c) => [c, Math.max(0, max - (used.get(c) ?? 0))]));
}

/** The refusal of an event of `size` bytes that does not fit in the `room` its customer has left: a 413. */
export function storedBytesQuotaReached(ctx: Ctx, size: number, room: number): DomainError {
  const max = ctx.config.customerMaxStoredBytes ?? 0;
  const days = Math.max(1, Math.ceil(ctx.config.retentionDays));
  return new DomainError(
    'payload_too_large',
    `stored-bytes quota reached: this customer stores at most ${max} bytes of events (CUSTOMER_MAX_STORED_BYTES); ` +
      `it published ${max - room} bytes over the last ${days} UTC days (RETENTION_DAYS) and this event is ${size} bytes; ` +
      `room comes back as those days leave retention`,
  );
}

/** The sum of a customer's subscription windows (each counted at most the ceiling), but `except`'s. */
async function windowsInUse(ctx: Ctx, q: Queryable, customerId: string, except?: string): Promise<number> {
  const [row] = await q
    .select({
      n: sql<number>`coalesce(sum(least(${subscriptions.maxInFlight}, ${ctx.config.subscriptionMaxInFlight})), 0)::int`,
    })
    .from(subscriptions)
    .where(and(eq(subscriptions.customerId, customerId), except ? ne(subscriptions.id, except) : undefined));
  return row?.n ?? 0;
}

/** Events published on `now`'s UTC day per customer, folded into usage_daily and not yet: exact, in one statement. */
async function eventsPublishedOn(q: Queryable, customerIds: string[], now: Date): Promise<Map<string, number>> {
  if (customerIds.length === 0) return new Map();
  const sql = rawClient(q);
  const within = sql`customer_id = any(${customerIds}::text[]) and day = ${now.toISOString().slice(0, 10)}::date`;
  const rows = await sql<Array<{ customerId: string; n: number }>>`
    select customer_id as "customerId", sum(n)::int as n from (
      select customer_id, events_published as n from usage_daily where ${within}
      union all select customer_id, events_published from usage_deltas where ${within}
    ) u group by customer_id`;
  return new Map(rows.map((r) => [r.customerId, r.n]));
}

/** Body bytes published per customer from the UTC day `from` to `now`'s, folded into usage_daily and not yet. */
async function bytesPublishedSince(
  q: Queryable,
  customerIds: string[],
  from: string,
  now: Date,
): Promise<Map<string, number>> {
  if (customerIds.length === 0) return new Map();
  const sql = rawClient(q);
  const within = sql`customer_id = any(${customerIds}::text[]) and day between ${from}::date and ${now.toISOString().slice(0, 10)}::date`;
  const rows = await sql<Array<{ customerId: string; n: string }>>`
    select customer_id as "customerId", sum(n)::text as n from (
      select customer_id, bytes_published as n from usage_daily where ${within}
      union all select customer_id, bytes_published from usage_deltas where ${within}
    ) u group by customer_id`;
  return new Map(rows.map((r) => [r.customerId, Number(r.n)]));
}

/**
 * A customer's quotas and what it uses of them (the usage page and `GET /usage`): events today
 * against CUSTOMER_MAX_EVENTS_PER_DAY (null: no quota), the sum of its subscription windows against
 * CUSTOMER_MAX_IN_FLIGHT_TOTAL, body bytes published over the retained days against
 * CUSTOMER_MAX_STORED_BYTES (null: no quota). `used` is null without one customer in view.
 */
export async function quotaUsage(ctx: Ctx, customerId: string | undefined) {
  const now = ctx.now();
  const [today, windows, stored] = customerId
    ? await Promise.all([
        eventsPublishedOn(ctx.db, [customerId], now).then((m) => m.get(customerId) ?? 0),
        windowsInUse(ctx, ctx.db, customerId),
        bytesPublishedSince(ctx.db, [customerId], retainedFrom(now, ctx.config.retentionDays), now).then(
          (m) => m.get(customerId) ?? 0,
        ),
      ])
    : [null, null, null];
  return {
    eventsPerDay: { limit: ctx.config.customerMaxEventsPerDay, used: today },
    inFlightTotal: { limit: ctx.config.customerMaxInFlightTotal, used: windows },
    storedBytes: { limit: ctx.config.customerMaxStoredBytes, used: stored },
  };
}
