import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { deliveryRoutes, deliveryStatuses, type DeliveryRoute, type DeliveryStatus } from './values';
import { customers } from './customers';
import { subscriptions } from './subscriptions';

export type { DeliveryRoute, DeliveryStatus };
export type AttemptStatus = 'succeeded' | 'failed';
export type AttemptTrigger = 'initial' | 'retry' | 'replay' | 'test';

/**
 * One event × one subscription: the source of truth for where a delivery stands. Sharding key:
 * `customer_id`, in the primary key and in every unique index and foreign key (Citus requires it).
 * The status set and its meaning: server/domain/delivery/status.ts; every transition:
 * server/domain/delivery-state.ts.
 * `cycle_start` is the attempt count at which the current retry cycle began (a replay starts a new one).
 * Partitioned by range of `id`, in step with `events`: a delivery's id carries its event's time and
 * is derived from (event, subscription) (`deliveryIdOf`), so a delivery lives in its event's
 * partition and the primary key makes the fan-out idempotent across every partition.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    id: text('id').notNull(),
    eventId: text('event_id').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    eventType: text('event_type').notNull(),
    status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
    attemptCount: integer('attempt_count').notNull().default(0),
    cycleStart: integer('cycle_start').notNull().default(0),
    cycleStartedAt: timestamp('cycle_started_at', { withTimezone: true }).notNull().defaultNow(),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    /**
     * Set while a pg-boss job exists for this delivery's next attempt (it is in the subscription's
     * window). Null means the delivery waits in this table: the backlog never sits in the hot queue.
     */
    queuedAt: timestamp('queued_at', { withTimezone: true }),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    lastResponseStatus: integer('last_response_status'),
    lastError: text('last_error'),
    replayCount: integer('replay_count').notNull().default(0),
    /** Admission order within a subscription, higher first: live traffic 1, bulk replay 0 (below live). */
    priority: integer('priority').notNull().default(1),
    /** The fan-out's decision, kept for the routing trace: matched (and by which pattern), held (subscription off), test. */
    route: text('route').$type<DeliveryRoute>().notNull().default('matched'),
    matchedPattern: text('matched_pattern'),
    /** The event's ordering key: this delivery waits behind earlier ones of its lane (subscription, key). */
    orderingKey: text('ordering_key'),
    /** A dead letter that blocks its lane (a `strict` subscription's), until it is replayed or skipped. */
    laneHold: boolean('lane_hold').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.customerId] }),
    foreignKey({
      columns: [t.subscriptionId, t.customerId],
      foreignColumns: [subscriptions.id, subscriptions.customerId],
      name: 'deliveries_subscription_fk',
    }).onDelete('cascade'),
    check('deliveries_status_check', sql.raw(`status in (${deliveryStatuses.map((v) => `'${v}'`).join(', ')})`)),
    check('deliveries_route_check', sql.raw(`route in (${deliveryRoutes.map((v) => `'${v}'`).join(', ')})`)),
    index('deliveries_event_subscription_idx').on(t.eventId, t.subscriptionId, t.customerId),
    index('deliveries_customer_created_idx').on(t.customerId, t.createdAt),
    index('deliveries_customer_status_idx').on(t.customerId, t.status, t.createdAt),
    index('deliveries_subscription_status_idx').on(t.subscriptionId, t.status),
    // The backlog a subscription's window is fed from, oldest due first: the admission reads it in
    // this order in every partition and merges them (about as many rows as it admits), so its ORDER
    // BY must match, NULLS LAST included. Both keys the admission filters on (subscription, and
    // customer as Citus needs) lead it, so no other index looks cheaper to the planner.
    index('deliveries_backlog_idx')
      .on(t.subscriptionId, t.customerId, t.priority.desc(), t.nextAttemptAt, t.id)
      .where(sql`${t.status} = 'pending' and ${t.queuedAt} is null`),
    // What occupies a customer's cap of attempts in flight and each of its subscriptions' windows
    // (both counted at every admission).
    index('deliveries_queued_idx')
      .on(t.customerId, t.subscriptionId)
      .where(sql`${t.queuedAt} is not null`),
    // Dead letters and held deliveries, small next to the table: the /api/metrics depth gauges count
    // them without scanning every delivery of the retention window.
    // Open lanes, in publish (event id) order: what a keyed delivery's admission looks up (an earlier
    // delivery of its lane not yet done, or one in flight). Done deliveries leave it, unless they
    // block a strict lane.
    index('deliveries_lane_idx')
      .on(t.customerId, t.subscriptionId, t.orderingKey, t.eventId)
      .where(sql`${t.orderingKey} is not null and (${t.status} in ('pending', 'held') or ${t.laneHold})`),
    index('deliveries_dead_idx')
      .on(t.customerId)
      .where(sql`${t.status} = 'dead'`),
    index('deliveries_held_idx')
      .on(t.subscriptionId)
      .where(sql`${t.status} = 'held'`),
  ],
);

/**
 * One HTTP attempt of a delivery. The request body is the event's `body` (identical for every attempt),
 * unless a transform rewrote it (`request_body`); what differs per attempt is stored here: headers
 * (timestamp, signature), response, timing, error.
 * Partitioned by range of `delivery_id`: every attempt of a delivery, a replay a month later too,
 * lives in its event's partition and goes with it at retention. No foreign key to its subscription:
 * recording an attempt would then share-lock the subscription row that the same transaction goes on
 * to lock for update, and two recorders of one subscription would deadlock; deleting a subscription
 * deletes its attempts itself (tenants/subscriptions.ts).
 */
export const attempts = pgTable(
  'attempts',
  {
    id: text('id').notNull(),
    deliveryId: text('delivery_id').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    attemptSeq: integer('attempt_seq').notNull(),
    trigger: text('trigger').$type<AttemptTrigger>().notNull(),
    status: text('status').$type<AttemptStatus>().notNull(),
    url: text('url').notNull(),
    requestHeaders: jsonb('request_headers').$type<Record<string, string>>().notNull(),
    /**
     * The body this attempt sent, only when the subscription's transform changed it (otherwise the
     * event's `body` is what was sent); null too for an attempt that sent nothing.
     */
    requestBody: text('request_body'),
    responseStatus: integer('response_status'),
    responseHeaders: jsonb('response_headers').$type<Record<string, string>>(),
    responseBody: text('response_body'),
    errorClass: text('error_class'),
    errorMessage: text('error_message'),
    latencyMs: integer('latency_ms').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    nextRetryAt: timestamp('next_retry_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.deliveryId, t.customerId] }),
    uniqueIndex('attempts_delivery_seq_key').on(t.deliveryId, t.attemptSeq, t.customerId),
    index('attempts_subscription_started_idx').on(t.subscriptionId, t.startedAt),
    index('attempts_customer_started_idx').on(t.customerId, t.startedAt),
  ],
);
