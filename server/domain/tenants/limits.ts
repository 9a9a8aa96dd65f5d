import { and, count, eq, isNull, ne, sql } from 'drizzle-orm';
import { apiKeys, customers, subscriptions } from '../../../drizzle/schema';
import type { Tx } from '../../db/client';
import type { Ctx, Scope } from '../context';
import { DomainError } from '../errors';

/**
 * Per-customer caps on what a customer can create with its own credentials (customer API keys and
 * dashboard sessions): active API keys (each key is its own rate-limit bucket) and subscriptions
 * (each is fanned out to on every matching event). Platform keys, the operator's own integration,
 * are not capped. Configured by CUSTOMER_MAX_API_KEYS and CUSTOMER_MAX_SUBSCRIPTIONS.
 */
export type Quota = 'apiKeys' | 'subscriptions';

const quotas: Record<
  Quota,
  { what: string; setting: string; free: string; max: (c: Ctx['config']) => number; used: (tx: Tx, customerId: string) => Promise<number> }
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
    used: async (tx, customerId) => (await tx.select({ n: count() }).from(subscriptions).where(eq(subscriptions.customerId, customerId)))[0]!.n,
  },
};

/**
 * Inside the creating transaction: locks the customer's row (NO KEY UPDATE: concurrent creations for
 * the same customer queue up behind each other, while inserts that merely reference the customer do
 * not wait), then refuses with 409 when a customer's own request would go past its cap.
 * A customer that does not exist is a 404.
 */
export async function reserveForCustomer(ctx: Ctx, tx: Tx, scope: Scope, customerId: string, quota: Quota): Promise<void> {
  const [customer] = await tx.select({ id: customers.id }).from(customers).where(eq(customers.id, customerId)).for('no key update');
  if (!customer) throw new DomainError('not_found', 'customer not found', { field: 'customerId' });
  if (scope.kind !== 'customer') return;
  const q = quotas[quota];
  const max = q.max(ctx.config);
  if ((await q.used(tx, customerId)) >= max) {
    throw new DomainError('conflict', `limit reached: a customer may have at most ${max} ${q.what} (${q.setting}); ${q.free}`);
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
export async function reserveWindow(ctx: Ctx, tx: Tx, scope: Scope, customerId: string, window: number, subscriptionId?: string): Promise<void> {
  const ceiling = ctx.config.subscriptionMaxInFlight;
  if (window > ceiling) {
    throw new DomainError('bad_request', `maxInFlight may be at most ${ceiling} (SUBSCRIPTION_MAX_IN_FLIGHT)`, { field: 'maxInFlight' });
  }
  if (scope.kind !== 'customer') return;
  await tx.select({ id: customers.id }).from(customers).where(eq(customers.id, customerId)).for('no key update');
  const [row] = await tx
    .select({ n: sql<number>`coalesce(sum(least(${subscriptions.maxInFlight}, ${ceiling})), 0)::int` })
    .from(subscriptions)
    .where(and(eq(subscriptions.customerId, customerId), subscriptionId ? ne(subscriptions.id, subscriptionId) : undefined));
  const used = row?.n ?? 0;
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
