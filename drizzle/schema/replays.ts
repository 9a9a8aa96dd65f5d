import { sql } from 'drizzle-orm';
import { foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { customers } from './customers';

export type BulkReplayStatus = 'running' | 'completed' | 'cancelled';
export type BulkReplayFilter = { subscriptionId?: string; eventType?: string; from?: string; to?: string };

/** "Replay all": one row and one job re-enqueue a filter's dead letters in batches, at a bounded rate. */
export const bulkReplays = pgTable(
  'bulk_replays',
  {
    id: text('id').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    filter: jsonb('filter').$type<BulkReplayFilter>().notNull(),
    status: text('status').$type<BulkReplayStatus>().notNull().default('running'),
    total: integer('total').notNull().default(0),
    enqueued: integer('enqueued').notNull().default(0),
    /** Delivery id after which the next batch starts (keyset cursor). */
    cursor: text('cursor'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.customerId] }),
    uniqueIndex('bulk_replays_one_running_key')
      .on(t.customerId)
      .where(sql`${t.status} = 'running'`),
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
    foreignKey({ columns: [t.replayId, t.customerId], foreignColumns: [bulkReplays.id, bulkReplays.customerId], name: 'bulk_replay_items_replay_fk' }).onDelete(
      'cascade',
    ),
  ],
);
