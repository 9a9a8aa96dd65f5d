import {
  bigint,
  bigserial,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/**
 * Who changed what, when and from where: one row per configuration change, written in the same
 * transaction as the change (server/domain/audit/). `customer_id` null: a platform-wide change.
 * Secrets never appear in `before`/`after` (redacted). Retained like events.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id'),
    /** `user` (dashboard), `api_key` (a customer key), `platform` (a platform key, or the operator CLI without id), `system` (Hookrelay itself). */
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id'),
    ip: text('ip'),
    action: text('action').notNull(),
    targetKind: text('target_kind').notNull(),
    targetId: text('target_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('audit_log_customer_idx').on(t.customerId, t.id), index('audit_log_created_idx').on(t.createdAt)],
);

/** What usage counts, per customer and day: the same columns in the totals and in the pending deltas. */
function usageCounters() {
  return {
    eventsPublished: integer('events_published').notNull().default(0),
    deliveriesAttempted: integer('deliveries_attempted').notNull().default(0),
    deliveriesSucceeded: integer('deliveries_succeeded').notNull().default(0),
    deliveriesFailed: integer('deliveries_failed').notNull().default(0),
    bytesSent: bigint('bytes_sent', { mode: 'number' }).notNull().default(0),
    /** The stored body bytes of the events published (a broadcast's: once per customer it reached); the stored-bytes quota reads it. */
    bytesPublished: bigint('bytes_published', { mode: 'number' }).notNull().default(0),
  };
}

/**
 * Usage per customer and UTC day, counted incrementally in the transactions that accept events and
 * record attempts (never by re-reading deliveries): what a platform bills by.
 */
export const usageDaily = pgTable(
  'usage_daily',
  {
    customerId: text('customer_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    ...usageCounters(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.day] })],
);

/**
 * Usage counts not yet folded into `usage_daily`: each transaction that accepts events or records
 * attempts appends one row per customer and day it touched, without updating any shared row, so
 * concurrent publishes and attempt batches of one customer never wait on each other's counter
 * (an upsert on `usage_daily` held that customer's row locked until commit). The `usage-rollup` job
 * moves them into `usage_daily` every minute; reads add what is still here.
 */
export const usageDeltas = pgTable(
  'usage_deltas',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    customerId: text('customer_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    ...usageCounters(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.id] }), index('usage_deltas_id_idx').on(t.id)],
);
