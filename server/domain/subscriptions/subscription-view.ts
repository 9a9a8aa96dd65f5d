import { subscriptionWaiting, type Waiting } from '../delivery/waiting';
import { subscriptions, type BreakerState, type EndpointAuthInfo } from '../../../drizzle/schema';
import type { Queryable } from '../../db/client';
import type { Ctx, Scope } from '../context';
import { redactedHeaders } from '../delivery/custom-headers';
import type { Filter } from '../filters';
import { autoDisableHours } from '../delivery/auto-disable';
import type { SignatureScheme } from '../../../drizzle/schema/values';
import type { LaneOrdering } from '../../../drizzle/schema/values';
import { recordAudit } from '../audit/log';

type Row = typeof subscriptions.$inferSelect;

export type SubscriptionView = {
  id: string;
  customerId: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  /** Only events in at least one of these channels; empty: every event. */
  channels: string[];
  /** The payload filter, or null (every event of a matching type). */
  filter: Filter | null;
  /** Custom header names, each with the value `"[redacted]"`: values are never read back. */
  headers: Record<string, string>;
  active: boolean;
  disabledReason: string | null;
  signatureScheme: SignatureScheme;
  /** Attempts carry the W3C `traceparent` header (when the deployment traces). */
  traceContext: boolean;
  ordering: LaneOrdering;
  /**
   * Endpoint authentication, without its secrets: the client certificate's subject, fingerprint and
   * validity (`mtls`), or the token URL, client id and scope (`oauth2`); null: none.
   */
  auth: EndpointAuthInfo | null;
  /** The transformation's source (delivery/transform.ts), or null; its version goes up with every change. */
  transform: string | null;
  transformVersion: number;
  retryPolicy: { maxAttempts?: number; scheduleSeconds?: number[] } | null;
  rateLimitPerSecond: number | null;
  maxInFlight: number;
  timeoutMs: number;
  breaker: { state: BreakerState; consecutiveFailures: number; openedAt: string | null; probeAt: string | null };
  /** Deliveries held while the subscription is paused or disabled (a resume releases or discards them). */
  heldDeliveries: number;
  /** What its waiting deliveries wait for as a whole (null: nothing holds them back). */
  waiting: Waiting | null;
  /** Hours of failed attempts after which Hookrelay disables it (null: never); `failingSince`: since when they have failed. */
  autoDisableAfterHours: number | null;
  failingSince: string | null;
  secretRotationEndsAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export function toView(ctx: Ctx, s: Row, held = 0): SubscriptionView {
  return {
    id: s.id,
    customerId: s.customerId,
    url: s.url,
    description: s.description,
    eventTypes: s.eventTypes,
    channels: s.channels,
    filter: s.filter ?? null,
    headers: redactedHeaders(s.headerNames),
    active: s.active,
    disabledReason: s.disabledReason,
    signatureScheme: s.signatureScheme,
    traceContext: s.traceContext,
    ordering: s.ordering,
    auth: s.authInfo ?? null,
    transform: s.transform,
    transformVersion: s.transformVersion,
    retryPolicy: s.retryPolicy ?? null,
    rateLimitPerSecond: s.rateLimitPerSecond,
    maxInFlight: s.maxInFlight,
    timeoutMs: s.timeoutMs,
    breaker: {
      state: s.breakerState,
      consecutiveFailures: s.breakerFailures,
      openedAt: s.breakerOpenedAt?.toISOString() ?? null,
      probeAt: s.breakerProbeAt?.toISOString() ?? null,
    },
    heldDeliveries: held,
    waiting: subscriptionWaiting(s),
    autoDisableAfterHours: autoDisableHours(ctx, s.autoDisableAfterHours),
    failingSince: s.failingSince?.toISOString() ?? null,
    secretRotationEndsAt: s.previousSecretExpiresAt?.toISOString() ?? null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

/** Records a change of a subscription (its view: never a secret) in the audit log, in `q`'s transaction. */
export async function auditSubscription(
  ctx: Ctx,
  q: Queryable,
  scope: Scope,
  action: string,
  before: Row | null,
  after: Row | null,
  target: Row | null = after ?? before,
) {
  await recordAudit(ctx, q, scope, {
    customerId: target!.customerId,
    action,
    target: { kind: 'subscription', id: target!.id },
    before: before && toView(ctx, before, 0),
    after: after && toView(ctx, after, 0),
  });
}
