import { sql } from 'drizzle-orm';
import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { SignatureScheme } from './values';
import type { LaneOrdering } from './values';
import { customers } from './customers';

export type RetryPolicyOverride = { maxAttempts?: number; scheduleSeconds?: number[] };

/**
 * What may be read of a subscription's endpoint authentication (no secret: the private key and the
 * client secret live only in `auth_enc`). `setAt`: when these credentials were given.
 */
export type EndpointAuthInfo =
  | {
      type: 'mtls';
      subject: string;
      issuer: string;
      fingerprint: string;
      notBefore: string;
      notAfter: string;
      setAt: string;
    }
  | { type: 'oauth2'; tokenUrl: string; clientId: string; scope: string | null; setAt: string };
export type BreakerState = 'closed' | 'open' | 'half_open';

/** A customer-registered endpoint. Sharding key: customer_id (every read is per customer). */
export const subscriptions = pgTable(
  'subscriptions',
  {
    id: text('id').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    description: text('description'),
    /** Event-type patterns: exact, `a.*` (one segment), `a.**` (any depth), `*` (all). */
    eventTypes: text('event_types').array().notNull(),
    /** Channels it listens to: only events in at least one of them. Empty: every channel (and none). */
    channels: text('channels')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Payload filter (server/domain/filters.ts): delivered only when it holds. Null: every matching event. */
    filter: jsonb('filter').$type<Record<string, unknown>>(),
    /** Custom header names, for reads (values are never read back). */
    headerNames: text('header_names')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** AES-256-GCM ciphertext of the custom headers as JSON `{name: value}` (tenants/crypto.ts); null when none. */
    headersEnc: text('headers_enc'),
    /**
     * Endpoint authentication (server/domain/tenants/endpoint-credentials.ts): what reads show, and the
     * AES-256-GCM ciphertext of the credentials themselves (the mTLS certificate and private key, or the
     * OAuth2 client credentials); both null when the endpoint takes no authentication.
     */
    authInfo: jsonb('auth_info').$type<EndpointAuthInfo>(),
    authEnc: text('auth_enc'),
    /** The mTLS client certificate's expiry (plain, for the expiry check: upkeep/certificate-expiry.ts). */
    clientCertNotAfter: timestamp('client_cert_not_after', { withTimezone: true }),
    /** When `subscription.certificate_expiring` was emitted for the current certificate (null: not yet; a new certificate resets it). */
    clientCertExpiryWarnedAt: timestamp('client_cert_expiry_warned_at', { withTimezone: true }),
    active: boolean('active').notNull().default(true),
    /** Why the subscription was deactivated by Hookrelay itself (e.g. `410 Gone`), null if by the user. */
    disabledReason: text('disabled_reason'),
    /** `v1` (HMAC-SHA256, `whsec_` secret) or `v1a` (Ed25519, `whsk_` signing key; receivers hold its `whpk_` public key). */
    signatureScheme: text('signature_scheme').$type<SignatureScheme>().notNull().default('v1'),
    /** AES-256-GCM ciphertext of the `whsec_` secret, or of the `whsk_` signing key for `v1a` (server/domain/tenants/crypto.ts). */
    secretEnc: text('secret_enc').notNull(),
    /** During a rotation the old secret keeps signing until `previous_secret_expires_at`. */
    previousSecretEnc: text('previous_secret_enc'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true }),
    /**
     * Opt-in: attempts carry the W3C `traceparent` of their span (server/tracing.ts), so the receiver's
     * own tracing joins the event's trace. Off by default: a receiver may not expect the header.
     */
    traceContext: boolean('trace_context').notNull().default(false),
    /**
     * Transformation (server/domain/delivery/transform.ts): JavaScript source defining
     * `transform(webhook)`, run sandboxed before each attempt is signed; null: none. Checked on write
     * (at most 64 KiB, compiles, defines `transform`).
     */
    transform: text('transform'),
    /** Bumped on every change of `transform` (set, replaced or removed): 0 for a subscription that never had one. */
    transformVersion: integer('transform_version').notNull().default(0),
    /**
     * Ordering lanes (server/domain/delivery/lanes.ts): `lenient` moves a lane on past a dead
     * letter; `strict` keeps it blocked behind the dead letter until it is replayed or skipped.
     */
    ordering: text('ordering').$type<LaneOrdering>().notNull().default('lenient'),
    retryPolicy: jsonb('retry_policy').$type<RetryPolicyOverride>(),
    rateLimitPerSecond: doublePrecision('rate_limit_per_second'),
    maxInFlight: integer('max_in_flight').notNull().default(10),
    timeoutMs: integer('timeout_ms').notNull().default(15000),
    /** Circuit breaker (server/domain/delivery/attempt.ts). */
    breakerState: text('breaker_state').$type<BreakerState>().notNull().default('closed'),
    breakerFailures: integer('breaker_failures').notNull().default(0),
    breakerOpenedAt: timestamp('breaker_opened_at', { withTimezone: true }),
    breakerProbeAt: timestamp('breaker_probe_at', { withTimezone: true }),
    /**
     * Auto-disable: when the first failed attempt since the last success was made (null while the last
     * attempt succeeded), and after how many hours of that the subscription is disabled (null: the
     * deployment's AUTO_DISABLE_AFTER_HOURS; 0: never). server/domain/delivery/auto-disable.ts.
     */
    failingSince: timestamp('failing_since', { withTimezone: true }),
    autoDisableAfterHours: doublePrecision('auto_disable_after_hours'),
    /** True while deliveries wait in the table for this subscription's window (the dispatcher's worklist). */
    backlog: boolean('backlog').notNull().default(false),
    /** Token bucket for the rate limit, shared by all workers (spent by the dispatcher, one at a time). */
    rateTokens: doublePrecision('rate_tokens'),
    rateUpdatedAt: timestamp('rate_updated_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.customerId] }),
    index('subscriptions_customer_idx').on(t.customerId, t.createdAt),
    index('subscriptions_active_idx')
      .on(t.customerId)
      .where(sql`${t.active}`),
    index('subscriptions_backlog_idx')
      .on(t.id)
      .where(sql`${t.backlog}`),
    // Client certificates not yet warned about (few): the hourly expiry check reads these only.
    index('subscriptions_client_cert_idx')
      .on(t.clientCertNotAfter)
      .where(sql`${t.clientCertNotAfter} is not null and ${t.clientCertExpiryWarnedAt} is null`),
    // Breakers that are not closed (few): the breaker-state gauge reads these, not every subscription.
    index('subscriptions_breaker_idx')
      .on(t.breakerState)
      .where(sql`${t.breakerState} <> 'closed'`),
  ],
);
