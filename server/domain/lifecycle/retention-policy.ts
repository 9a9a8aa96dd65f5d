import { eq } from 'drizzle-orm';
import { customers } from '../../../drizzle/schema';
import { rawClient } from '../../db/client';
import { recordAudit } from '../audit/log';
import type { Ctx, Scope } from '../context';
import { badRequest, notFound } from '../errors';
import { customerView, requirePlatform } from '../tenants/customers';
import type { Queryable } from '../../db/client';

/**
 * `PATCH /customers/{id}`: sets a customer's retention (platform key only; null restores the
 * platform default). Refuses a value outside 1..RETENTION_MAX_DAYS with a 400 naming the range.
 * Returns the customer and how many stored events had their retention shortened.
 */
export async function updateCustomer(
  ctx: Ctx,
  scope: Scope,
  id: string,
  input: { retentionDays?: number | null | undefined },
) {
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
