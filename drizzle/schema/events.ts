import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { customers } from './customers';

export type FilteredOut = { subscriptionId: string; customerId: string; pattern: string; failed: string };

/**
 * An internal event, produced once and fanned out to N subscriptions.
 * `body` holds the exact bytes that are signed and sent: stored once here, never copied per attempt.
 * `customer_id` null means a broadcast to every customer's matching subscriptions.
 */
export const events = pgTable(
  'events',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id').references(() => customers.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    body: text('body').notNull(),
    idempotencyKey: text('idempotency_key'),
    /** Set when the fan-out job has created every delivery of this event. */
    fannedOutAt: timestamp('fanned_out_at', { withTimezone: true }),
    deliveryCount: integer('delivery_count'),
    /**
     * The fan-out's decisions against payload filters, for the routing trace: the subscriptions whose
     * pattern matched but whose filter did not hold, with the condition that failed (the first
     * `FILTER_TRACE_LIMIT`; null when no filter excluded anyone).
     */
    filteredOut: jsonb('filtered_out').$type<FilteredOut[]>(),
    /**
     * The W3C trace context (`traceparent`) of the publish span, so that fan-out, admission, every
     * attempt and replays join the event's one trace across processes. Null when tracing is off.
     */
    traceParent: text('trace_parent'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    retentionUntil: timestamp('retention_until', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('events_idempotency_key')
      .on(sql`coalesce(${t.customerId}, '')`, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    index('events_customer_created_idx').on(t.customerId, t.createdAt),
    index('events_retention_idx').on(t.retentionUntil),
  ],
);
