import { integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** Per-subscription queue depth sampled every minute by a scheduled job (dispatch counts come from attempts). */
export const subscriptionDepthSamples = pgTable(
  'subscription_depth_samples',
  {
    subscriptionId: text('subscription_id').notNull(),
    customerId: text('customer_id').notNull(),
    minute: timestamp('minute', { withTimezone: true }).notNull(),
    pending: integer('pending').notNull(),
    held: integer('held').notNull(),
    breakerState: text('breaker_state').notNull(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.minute, t.customerId] })],
);
