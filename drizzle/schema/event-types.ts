import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The event-type catalog: the types the platform publishes, what each means, and optionally a JSON
 * Schema (2020-12) that a published event's `data` must satisfy. Shared by every customer (they
 * browse it to subscribe); not per customer, so it has no sharding key and is small.
 * Deleting archives (`archived_at`): existing subscriptions keep working.
 */
export const eventTypes = pgTable('event_types', {
  name: text('name').primaryKey(),
  description: text('description'),
  schema: jsonb('schema').$type<Record<string, unknown> | boolean>(),
  example: jsonb('example').$type<unknown>(),
  archivedAt: timestamp('archived_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
