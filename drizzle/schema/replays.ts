import { sql } from 'drizzle-orm';
import {
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
import { customers } from './customers';

export type BulkReplayStatus = 'running' | 'completed' | 'cancelled';
/**
 * `replay`: "replay all", dead letters sent again. `backfill`: "send past events", the retained events
 * a subscription matches but never received, sent to it for the first time (server/domain/replay/backfill.ts).
 */
export type BulkReplayKind = 'replay' | 'backfill';
/** What a bulk job covers. A backfill names its subscription, its range and, optionally, narrower event-type patterns. */
export type BulkReplayFilter = {
  subscriptionId?: string;
  eventType?: string;
  eventTypes?: string[];
  from?: string;
  to?: string;
};
/** A backfill's matching rules: the subscription's patterns, channels and payload filter as they were when it started. */
export type BackfillMatch = { eventTypes: string[]; channels: string[]; filter: Record<string, unknown> | null };

/**
 * "Replay all" and "send past events" (a backfill): one row and one job work through a filter in
 * paced batches, at a bounded rate, with progress and cancel. At most one running replay per customer
 * and one running backfill per subscription (partial unique indexes).
 */
export const bulkReplays = pgTable(
  'bulk_replays',
  {
    id: text('id').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<BulkReplayKind>().notNull().default('replay'),
    filter: jsonb('filter').$type<BulkReplayFilter>().notNull(),
    /** A backfill's subscription (null for a replay: its filter may name one). */
    subscriptionId: text('subscription_id'),
    /** A backfill's matching rules, fixed when it started (null for a replay). */
    match: jsonb('match').$type<BackfillMatch>(),
    status: text('status').$type<BulkReplayStatus>().notNull().default('running'),
    total: integer('total').notNull().default(0),
    enqueued: integer('enqueued').notNull().default(0),
    /** A backfill: events examined that the subscription had already received (nothing sent). */
    skipped: integer('skipped').notNull().default(0),
    /** A backfill: events examined that the subscription's payload filter excludes (nothing sent). */
    filteredOut: integer('filtered_out').notNull().default(0),
    /** Delivery id (a replay) or event id (a backfill) after which the next batch starts (keyset cursor). */
    cursor: text('cursor'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.customerId] }),
    uniqueIndex('bulk_replays_one_running_key')
      .on(t.customerId)
      .where(sql`${t.status} = 'running' and ${t.kind} = 'replay'`),
    uniqueIndex('bulk_replays_one_backfill_key')
      .on(t.customerId, t.subscriptionId)
      .where(sql`${t.status} = 'running' and ${t.kind} = 'backfill'`),
    // A subscription's backfills, newest first (its page in the dashboard).
    index('bulk_replays_subscription_idx')
      .on(t.customerId, t.subscriptionId, t.id)
      .where(sql`${t.kind} = 'backfill'`),
    index('bulk_replays_customer_created_idx').on(t.customerId, t.createdAt),
  ],
);

/** Membership of a delivery in a bulk replay, so progress (delivered / failed) is a join, not a guess. */
export const bulkReplayItems = pgTable(
  'bulk_replay_items',
  {
    replayId: text('replay_id').notNull(),
    customerId: text('customer_id').notNull(),
    deliveryId: text('delivery_id').notNull(),
  },
  (t) => [
    uniqueIndex('bulk_replay_items_key').on(t.replayId, t.deliveryId, t.customerId),
    foreignKey({
      columns: [t.replayId, t.customerId],
      foreignColumns: [bulkReplays.id, bulkReplays.customerId],
      name: 'bulk_replay_items_replay_fk',
    }).onDelete('cascade'),
  ],
);
