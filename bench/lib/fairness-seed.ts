import { deliveries, events } from '../../drizzle/schema';
import type { Ctx } from '../../server/domain/context';
import { deliveryIdOf, newId } from '../../server/domain/ids';

/** Seeds `n` dead-lettered deliveries of a day-old `invoice.paid` event each, for one customer's subscription. */
export async function seedDead(ctx: Ctx, customerId: string, subscriptionId: string, n: number) {
  const now = new Date(Date.now() - 86400_000);
  for (let b = 0; b < n; b += 1000) {
    const evs = Array.from({ length: Math.min(1000, n - b) }, (_, i) => {
      const id = newId('event');
      return {
        id,
        customerId,
        type: 'invoice.paid',
        body: JSON.stringify({ id, type: 'invoice.paid', timestamp: now.toISOString(), data: { n: b + i } }),
        createdAt: now,
        retentionUntil: new Date(now.getTime() + 30 * 86400_000),
        fannedOutAt: now,
        deliveryCount: 1,
      };
    });
    await ctx.db.insert(events).values(evs);
    await ctx.db.insert(deliveries).values(
      evs.map((e) => ({
        id: deliveryIdOf(e.id, subscriptionId),
        eventId: e.id,
        subscriptionId,
        customerId,
        eventType: 'invoice.paid',
        status: 'dead' as const,
        attemptCount: 12,
        cycleStartedAt: now,
        completedAt: now,
        createdAt: now,
      })),
    );
  }
}
