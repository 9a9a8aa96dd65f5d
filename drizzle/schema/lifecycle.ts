import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { customers } from './customers';

export type DataExpungeStatus = 'running' | 'completed';

/**
 * A customer-wide expunge (account closure): one row and one `customerExpunge` job that expunges
 * every stored payload of the customer in batches (server/domain/lifecycle/customer-expunge.ts).
 * `total` is the count of not-yet-expunged events when it started; `expunged` grows per batch.
 * Distributed by customer_id on Citus, like every tenant table.
 */
export const dataExpunges = pgTable(
  'data_expunges',
  {
    id: text('id').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    status: text('status').$type<DataExpungeStatus>().notNull().default('running'),
    total: integer('total').notNull().default(0),
    expunged: integer('expunged').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.customerId] }),
    uniqueIndex('data_expunges_one_running_key')
      .on(t.customerId)
      .where(sql`${t.status} = 'running'`),
    index('data_expunges_customer_created_idx').on(t.customerId, t.createdAt),
  ],
);
