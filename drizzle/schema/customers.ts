import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { PortalTheme } from './values';

/** A tenant of the platform: owns subscriptions, dashboard users and customer API keys. */
export const customers = pgTable(
  'customers',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** External reference the platform uses for this customer (its own account id). */
    externalId: text('external_id'),
    /** Concurrency tier: names the per-customer cap on in-flight attempts (pg-boss group tier). */
    tier: text('tier').notNull().default('standard'),
    /**
     * Days this customer's events (with their deliveries and attempts) are kept; null: the platform's
     * RETENTION_DAYS. Applies to events published from when it is set; a shortening also shortens the
     * events already stored (server/domain/lifecycle/retention-policy.ts).
     */
    retentionDays: integer('retention_days'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('customers_external_id_key')
      .on(t.externalId)
      .where(sql`${t.externalId} is not null`),
  ],
);

/**
 * Dashboard logins. Sessions are JWTs (Auth.js Credentials), so there is no session table: each
 * carries the user's `session_version` from sign-in, and a session whose version is no longer the
 * user's is refused (server/auth). Signing out or changing the password bumps it, ending them all.
 */
export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    sessionVersion: integer('session_version').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_key').on(sql`lower(${t.email})`), index('users_customer_idx').on(t.customerId)],
);

/** Single-use, short-lived sign-in links a platform hands to its customer (embedded portal). */
export const portalTokens = pgTable(
  'portal_tokens',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    readOnly: boolean('read_only').notNull().default(false),
    /** An embed link: signs in to the embedded view (frameable by PORTAL_FRAME_ANCESTORS), and only to it. */
    embed: boolean('embed').notNull().default(false),
    /** The embedded view's theme (validated at creation: PortalTheme), null for the default look. */
    theme: jsonb('theme').$type<PortalTheme>(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('portal_tokens_hash_key').on(t.tokenHash)],
);

/**
 * API keys, stored as SHA-256 hashes. `customer_id` null means a platform key (acts for any customer).
 * `prefix` is the first characters of the key, shown in lists so a leaked key is recognisable.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id').references(() => customers.id, { onDelete: 'cascade' }),
    name: text('name'),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    /**
     * What a customer key may do (server/domain/tenants/key-scopes.ts): `publish`, `read`, `manage`,
     * `keys`. New keys get `publish` and `read` unless they ask for more; keys made before scopes
     * existed were given all four. Platform keys hold all four and are never limited by them.
     */
    scopes: text('scopes')
      .array()
      .notNull()
      .default(sql`'{publish,read}'::text[]`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_keys_hash_key').on(t.keyHash), index('api_keys_customer_idx').on(t.customerId)],
);
