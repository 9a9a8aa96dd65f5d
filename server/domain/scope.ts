import { eq, ne, type SQL, type Column } from 'drizzle-orm';
import { DomainError } from './errors';
import type { Ctx, Scope } from './context';
import { rawClient } from '../db/client';
import { isPlatformCustomer, PLATFORM_CUSTOMER_ID } from './platform-customer';

/**
 * `column = customerId` for a customer's scope; for the platform, every customer but the platform
 * customer (its rows are the operational webhooks', reached through their own API only).
 */
export function scopeFilter(scope: Scope, column: Column): SQL {
  return scope.kind === 'customer' ? eq(column, scope.customerId) : ne(column, PLATFORM_CUSTOMER_ID);
}

/** A list's tenant condition: the customer it is narrowed to, or (undefined) every customer but the platform customer. */
export function listedCustomers(customerId: string | undefined, column: Column): SQL {
  return customerId ? eq(column, customerId) : ne(column, PLATFORM_CUSTOMER_ID);
}

/** The platform customer is nobody's to name: a 404, like a customer that does not exist. */
function refusePlatformCustomer(requested: string | undefined | null, field?: string): void {
  if (isPlatformCustomer(requested)) throw new DomainError('not_found', 'customer not found', field ? { field } : {});
}

/**
 * The customer a write acts for: a customer's own id, or the `customerId` a platform key must name.
 * A customer naming another customer gets a 404 for it (it does not exist for them).
 */
export function actingCustomer(scope: Scope, requested: string | undefined | null): string {
  if (scope.kind === 'customer') {
    if (requested && requested !== scope.customerId) throw new DomainError('not_found', 'customer not found');
    return scope.customerId;
  }
  if (!requested)
    throw new DomainError('bad_request', 'customerId is required with a platform key', { field: 'customerId' });
  refusePlatformCustomer(requested, 'customerId');
  return requested;
}

export function assertWritable(scope: Scope): void {
  if (scope.kind === 'customer' && scope.readOnly) throw new DomainError('forbidden', 'this session is read-only');
}

/**
 * The customer a list is narrowed to: a customer's own id always (naming another customer is a 404,
 * as for writes), or the `customerId` filter a platform key may pass (undefined: every customer).
 */
export function listingCustomer(scope: Scope, requested: string | undefined): string | undefined {
  if (scope.kind === 'customer') {
    if (requested && requested !== scope.customerId)
      throw new DomainError('not_found', 'customer not found', { field: 'customerId' });
    return scope.customerId;
  }
  refusePlatformCustomer(requested, 'customerId');
  return requested;
}

/**
 * The customer whose row `id` of a tenant table `table` is, as `scope` may see it: a customer's own
 * id, or for the platform the row's owner (one lookup; null when there is no such row). What follows
 * then filters by it, so that on Citus it runs on that customer's shard (a row lock, in particular,
 * must: Citus locks rows of one shard only).
 */
export async function ownerOf(
  ctx: Ctx,
  scope: Scope,
  table: 'subscriptions' | 'deliveries' | 'bulk_replays',
  id: string,
): Promise<string | null> {
  if (scope.kind === 'customer') return scope.customerId;
  const sql = rawClient(ctx.db);
  const [row] = await sql<
    { customer_id: string }[]
  >`select customer_id from ${sql(table)} where id = ${id} and customer_id <> ${PLATFORM_CUSTOMER_ID} limit 1`;
  return row?.customer_id ?? null;
}

/**
 * The ids a request names in its body or query as filters or targets (`customerId`, `subscriptionId`,
 * `eventId`) must be ones the caller can see, within the customer the request is narrowed to: an
 * unknown id and another customer's id are both a 404 naming the field, before anything is done
 * (a bulk replay spends nothing on them). `customerId` is the customer the request acts for or lists
 * (undefined: a platform key across every customer).
 */
export async function assertNamed(
  ctx: Ctx,
  scope: Scope,
  customerId: string | undefined,
  named: { subscriptionId?: string | undefined; eventId?: string | undefined },
): Promise<void> {
  const sql = rawClient(ctx.db);
  const missing = (field: string, what: string) => new DomainError('not_found', `${what} not found`, { field });
  if (customerId && scope.kind === 'platform') {
    const [c] = await sql`select 1 from customers where id = ${customerId}`;
    if (!c) throw missing('customerId', 'customer');
  }
  if (named.subscriptionId) {
    const [s] = customerId
      ? await sql`select 1 from subscriptions where id = ${named.subscriptionId} and customer_id = ${customerId} limit 1`
      : await sql`select 1 from subscriptions where id = ${named.subscriptionId} and customer_id <> ${PLATFORM_CUSTOMER_ID} limit 1`;
    if (!s) throw missing('subscriptionId', 'subscription');
  }
  if (named.eventId) {
    // A customer sees its own events and its copy of each broadcast that reached it (events rows);
    // the platform across customers also sees broadcasts in their own table.
    const [e] = customerId
      ? await sql`select 1 from events where id = ${named.eventId} and customer_id = ${customerId} limit 1`
      : await sql`select 1 from events where id = ${named.eventId} and customer_id <> ${PLATFORM_CUSTOMER_ID} union all select 1 from broadcasts where id = ${named.eventId} limit 1`;
    if (!e) throw missing('eventId', 'event');
  }
}
