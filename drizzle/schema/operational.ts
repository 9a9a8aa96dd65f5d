import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { OperationalDeliveryStatus, OperationalEventType } from '../../server/domain/operational/event-types';

/**
 * Operational webhooks: endpoints of the platform itself (not of its customers) that hear about
 * customers' endpoints failing, recovering, being disabled, and deliveries dying
 * (server/domain/operational/). Not a tenant table: no customer owns them.
 */
export const operationalWebhooks = pgTable('operational_webhooks', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  description: text('description'),
  /** The event types sent here; null means every type. */
  eventTypes: text('event_types').array().$type<OperationalEventType[]>(),
  /** AES-256-GCM ciphertext of the `whsec_` secret (v1 signatures, like a subscription's). */
  secretEnc: text('secret_enc').notNull(),
  previousSecretEnc: text('previous_secret_enc'),
  previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * One operational event × one operational webhook. Its attempts run on their own queue
 * (`operational-deliver`), outside every customer's pg-boss group and subscription window, so they
 * never count against a customer's limits; the outcome of the last attempt is kept here.
 */
export const operationalDeliveries = pgTable(
  'operational_deliveries',
  {
    id: text('id').primaryKey(),
    webhookId: text('webhook_id')
      .notNull()
      .references(() => operationalWebhooks.id, { onDelete: 'cascade' }),
    /** The `webhook-id` header: one per operational event, the same for every webhook and attempt. */
    eventId: text('event_id').notNull(),
    eventType: text('event_type').$type<OperationalEventType>().notNull(),
    /** The exact bytes signed and sent: `{"id","type","timestamp","data"}`. */
    body: text('body').notNull(),
    status: text('status').$type<OperationalDeliveryStatus>().notNull().default('pending'),
    attemptCount: integer('attempt_count').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    lastResponseStatus: integer('last_response_status'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [index('operational_deliveries_webhook_idx').on(t.webhookId, t.id), index('operational_deliveries_created_idx').on(t.createdAt)],
);
