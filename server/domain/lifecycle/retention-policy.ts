import { eq, inArray } from 'drizzle-orm';
import { customers } from '../../../drizzle/schema';
import type { Queryable } from '../../db/client';
import { rawClient } from '../../db/client';
import { recordAudit } from '../audit/log';
import type { Ctx, Scope } from '../context';
import { badRequest, notFound } from '../errors';
import { customerView, requirePlatform } from '../tenants/customers';

const DAY = 86_400_000;

/**
 * Per-customer retention. A customer's events, with their deliveries and attempts, are kept for its
 * own `retentionDays` (null: the platform's RETENTION_DAYS), at most RETENTION_MAX_DAYS. An event's
 * `retention_until` is fixed when it is published, from its customer's setting then.
 *
 * Changing the setting:
 * - a shortening applies to the events already stored as well: their `retention_until` becomes
 *   `created_at` + the new days where that is sooner, in the same transaction. A customer who asks
 *   for less retention gets it for everything held; the hourly purge then removes them (a dropped
 *   time partition, or a bounded row delete where the partition still holds longer-lived events:
 *   upkeep/retention.ts).
 * - a lengthening applies to events published from then on. Events already stored keep their date:
 *   some past their old date may already be gone (purged row by row, or with their partition), so
 *   extending the rest would keep an arbitrary part of the history; and moving dates later would pin
 *   every time partition those events share with other customers for the longer time.
 */
export function retentionUntilOf(ctx: Ctx, createdAt: Date, retentionDays: number | null | undefined): Date {
  return new Date(createdAt.getTime() + (retentionDays ?? ctx.config.retentionDays) * DAY);
}

/** Each customer's retention days (null: the platform default), for a publish. */
export async function retentionDaysOf(q: Queryable, customerIds: string[]): Promise<Map<string, number | null>> {
  if (customerIds.length === 0) return new Map();
  const rows = await q.select({ id: customers.id, days: customers.retentionDays }).from(customers).where(inArray(customers.id, customerIds));
  return new Map(rows.map((r) => [r.id, r.days]));
}

/**
 * `PATCH /customers/{id}`: sets a customer's retention (platform key only; null restores the
 * platform default). Refuses a value outside 1..RETENTION_MAX_DAYS with a 400 naming the range.
 * Returns the customer and how many stored events had their retention shortened.
 */
export async function updateCustomer(ctx: Ctx, scope: Scope, id: string, input: { retentionDays?: number | null | undefined }) {
  requirePlatform(scope);
  const max = ctx.config.retentionMaxDays;
  const days = input.retentionDays;
  if (days !== undefined && days !== null && (!Number.isInteger(days) || days < 1 || days > max)) {
    throw badRequest(
      'retentionDays',
      `retentionDays must be a whole number of days from 1 to ${max} (or null for the platform default, ${ctx.config.retentionDays})`,
    );
  }
  return ctx.db.transaction(async (tx) => {
    const [before] = await tx.select().from(customers).where(eq(customers.id, id)).for('update');
    if (!before) throw notFound('customer');
    if (days === undefined) return customerView(before);
    const [after] = await tx.update(customers).set({ retentionDays: days }).where(eq(customers.id, id)).returning();
    const effective = days ?? ctx.config.retentionDays;
    const wasEffective = before.retentionDays ?? ctx.config.retentionDays;
    const shortened = effective < wasEffective ? await shortenStored(tx, id, effective) : 0;
    await recordAudit(ctx, tx, scope, {
      customerId: id,
      action: 'customer.retention_changed',
      target: { kind: 'customer', id },
      before: { retentionDays: before.retentionDays },
      after: { retentionDays: days, eventsShortened: shortened },
    });
    return customerView(after!);
  });
}

/**
 * Brings every stored event of the customer (and its idempotency keys) to at most `days` after its
 * creation: one statement on the customer's rows (its shard on Citus). Returns the events changed.
 */
async function shortenStored(tx: Queryable, customerId: string, days: number): Promise<number> {
  const raw = rawClient(tx);
  // created_at + days, in immutable functions only (Citus refuses a STABLE one, such as
  // timestamptz + interval, applied to a column in an UPDATE): epoch seconds, then to_timestamp.
  const until = raw`to_timestamp(extract(epoch from (created_at - '1970-01-01T00:00:00Z'::timestamptz)) + ${days * 86400}::float8)`;
  const r = await raw`
    update events set retention_until = ${until}
    where customer_id = ${customerId} and retention_until > ${until}`;
  await raw`
    update event_keys k set retention_until = e.retention_until
    from events e
    where k.customer_id = ${customerId} and e.customer_id = k.customer_id and e.id = k.event_id and k.retention_until > e.retention_until`;
  return r.count;
}
