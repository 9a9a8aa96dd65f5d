import { and, eq } from 'drizzle-orm';
import { deliveries, events, subscriptions } from '../../../drizzle/schema';

/**
 * A delivery's event and its subscription, joined within the delivery's customer: the customer is
 * the distribution key, so on Citus the join stays on one shard.
 */
export const deliveryEvent = and(eq(events.id, deliveries.eventId), eq(events.customerId, deliveries.customerId));
export const deliverySubscription = and(
  eq(subscriptions.id, deliveries.subscriptionId),
  eq(subscriptions.customerId, deliveries.customerId),
);
