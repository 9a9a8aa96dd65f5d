import { and, eq } from 'drizzle-orm';
import { deliveries, events, subscriptions } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { notFound } from '../errors';
import { newEventId } from '../ids';
import { assertWritable, scopeFilter } from '../scope';
import { retentionDaysOf, retentionUntilOf } from '../retention-period';
import { createDeliveries } from './create-deliveries';
import { eventBody, type PublishResult } from './prepare-event';

/**
 * `POST /subscriptions/{id}/test`: an event of type `hookrelay.test` delivered to that one
 * subscription only (whatever its patterns), through the normal path: signed, attempted, recorded.
 */
export async function sendTestEvent(
  ctx: Ctx,
  scope: Scope,
  subscriptionId: string,
): Promise<PublishResult & { deliveryId: string }> {
  assertWritable(scope);
  const [sub] = await ctx.db
    .select({ id: subscriptions.id, customerId: subscriptions.customerId, active: subscriptions.active })
    .from(subscriptions)
    .where(and(eq(subscriptions.id, subscriptionId), scopeFilter(scope, subscriptions.customerId)));
  if (!sub) throw notFound('subscription');
  const now = ctx.now();
  const id = newEventId(now.getTime());
  const type = 'hookrelay.test';
  const body = eventBody(id, type, now, { message: 'This is a test event from Hookrelay.', subscriptionId });
  const deliveryId = await ctx.db.transaction(async (tx) => {
    await tx.insert(events).values({
      id,
      customerId: sub.customerId,
      type,
      body,
      createdAt: now,
      retentionUntil: retentionUntilOf(ctx, now, (await retentionDaysOf(tx, [sub.customerId])).get(sub.customerId)),
      fannedOutAt: now,
      deliveryCount: 1,
    });
    await createDeliveries(ctx, tx, { id, customerId: sub.customerId, type }, [{ ...sub, pattern: null }]);
    const [d] = await tx
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(and(eq(deliveries.eventId, id), eq(deliveries.customerId, sub.customerId)));
    return d!.id;
  });
  return { id, deliveries: 1, duplicate: false, deliveryId };
}
