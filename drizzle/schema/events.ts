import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { customers } from './customers';

export type FilteredOut = { subscriptionId: string; customerId: string; pattern: string; failed: string };

/**
 * What an event is, whether a customer's (`events`) or a broadcast (`broadcasts`): the same columns
 * in both tables, built fresh for each.
 */
function eventFields() {
  return {
    type: text('type').notNull(),
    body: text('body').notNull(),
    idempotencyKey: text('idempotency_key'),
    /**
     * Routing: a subscription that names channels receives only events in at least one of them (one
     * without channels receives every event). Empty: the event is in no channel.
     */
    channels: text('channels')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Labels for searching the event log; they route nothing. */
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /**
     * Ordering lane (server/domain/delivery/lanes.ts): within one subscription, deliveries of events
     * with the same key are attempted one at a time, in publish order. Null: unordered.
     */
    orderingKey: text('ordering_key'),
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
    /**
     * Set when the payload was expunged (server/domain/lifecycle/expunge.ts): `body` is then empty,
     * the routing trace's failed conditions and every attempt's request and response headers and
     * body are gone; ids, type, times and statuses stay. Such an event is never sent again.
     */
    expungedAt: timestamp('expunged_at', { withTimezone: true }),
  };
}

/**
 * An event of one customer, fanned out to that customer's matching subscriptions.
 * `body` holds the exact bytes that are signed and sent: stored once here, never copied per attempt.
 * Sharding key: `customer_id` (the primary key is `(id, customer_id)`; on Citus the table is
 * distributed by it, co-located with the customer's deliveries and attempts).
 * A broadcast is kept once in `broadcasts`; its fan-out writes one copy here per customer it
 * reaches (same id, `broadcast` true), so every read of a customer's events stays on its shard.
 * Partitioned by range of `id` (the id begins with its creation time), one partition per
 * PARTITION_DAYS, together with the event's deliveries and attempts: retention drops a day's
 * partitions (server/domain/upkeep/partitions.ts; the DDL is in migration 0013, which Drizzle does
 * not model). A partitioned table's unique keys must contain the partition key, so idempotency keys
 * have their own table, `event_keys`.
 */
export const events = pgTable(
  'events',
  {
    id: text('id').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    /** True for a customer's copy of a broadcast (the broadcast itself: `broadcasts`). */
    broadcast: boolean('broadcast').notNull().default(false),
    ...eventFields(),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.customerId] }),
    // A customer's event list, newest first (and between two times: an id begins with its time),
    // one short range per partition however many other customers' events share it.
    index('events_customer_id_idx').on(t.customerId, t.id),
    index('events_retention_idx').on(t.retentionUntil),
    // A customer's events with a tag, or in a channel (`tags @> '{x}'`): GIN over (customer_id,
    // array), customer_id through btree_gin, so another customer's use of the same tag costs nothing.
    index('events_customer_tags_idx').using('gin', t.customerId, t.tags),
    index('events_customer_channels_idx').using('gin', t.customerId, t.channels),
  ],
);

/**
 * A broadcast event (`"broadcast": true`): to every customer's matching subscriptions. Stored once
 * here, not per customer (on Citus a reference table: every node has it). The `fanout` job writes a
 * copy into `events` for each customer it reaches, in the transaction that creates that customer's
 * deliveries; `delivery_count` here is the total over all customers.
 */
export const broadcasts = pgTable(
  'broadcasts',
  {
    id: text('id').primaryKey(),
    ...eventFields(),
  },
  (t) => [
    uniqueIndex('broadcasts_idempotency_key')
      .on(t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    index('broadcasts_retention_idx').on(t.retentionUntil),
  ],
);

/**
 * A customer's idempotency keys: `(customer_id, key)` → the event published with it, unique across
 * all of `events`' partitions (which cannot hold such a key themselves). Written in the publish
 * transaction before the event; purged with the event's retention.
 */
export const eventKeys = pgTable(
  'event_keys',
  {
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    eventId: text('event_id').notNull(),
    retentionUntil: timestamp('retention_until', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.key] }), index('event_keys_retention_idx').on(t.retentionUntil)],
);
