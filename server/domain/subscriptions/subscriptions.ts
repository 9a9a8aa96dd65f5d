import { subscriptionWaiting, type Waiting } from '../delivery/waiting';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { attempts, deliveries, subscriptions, type BreakerState, type EndpointAuthInfo } from '../../../drizzle/schema';
import type { Queryable, Tx } from '../../db/client';
import type { Ctx, Scope } from '../context';
import { decryptSecret, encryptSecret, sealedIn } from '../crypto';
import { REDACTED, redactedHeaders } from '../delivery/custom-headers';
import type { Filter } from '../filters';
import { heldCounts, holdPending, resumeHeld } from '../delivery/state';
import { autoDisableHours } from '../delivery/auto-disable';
import { breakerReset } from '../delivery/breaker';
import { DomainError, invalidInput, notFound } from '../errors';
import { newId } from '../ids';
import { defaultWindow, reserveForCustomer, reserveWindow } from '../tenants/limits';
import { actingCustomer, assertNamed, assertWritable, listedCustomers, listingCustomer, ownerOf } from '../scope';
import type { CreateSubscriptionInput, UpdateSubscriptionInput } from './inputs';
import { newSigningSecret, verificationKeyOf } from '../delivery/signing';
import type { SignatureScheme } from '../../../drizzle/schema/values';
import type { LaneOrdering } from '../../../drizzle/schema/values';
import { checkTargetUrl } from '../delivery/url-guard';
import { checkTransformSource } from '../delivery/sandbox';
import { page } from '../paging';
import { recordAudit } from '../audit/log';
import { checkAuthOnMove, checkAuthorizationHeader, storedAuthentication } from '../delivery/endpoint-credentials';

/** How long a rotated-out secret keeps signing alongside the new one. */
export const ROTATION_GRACE_MS = 24 * 3600_000;

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

/** `autoDisableAfterHours` as stored: null from the API means never (0); absent means the deployment's default. */
const storedAutoDisable = (v: number | null | undefined): number | undefined => (v === null ? 0 : v);

function checkUrl(ctx: Ctx, url: string | undefined) {
  if (url === undefined) return;
  const reason = checkTargetUrl(url, ctx.config.allowPrivateTargets, ctx.config.targetPorts);
  if (reason) throw new DomainError('bad_request', `url ${reason}`, { field: 'url' });
}

/**
 * A transformation is checked when it is saved: it compiles, its top level runs within the sandbox's
 * limits, and it defines `transform` (delivery/sandbox.ts). Otherwise a 400 naming `transform`.
 */
async function checkTransform(source: string | null | undefined) {
  if (source === null || source === undefined) return;
  const reason = await checkTransformSource(source);
  if (reason) throw invalidInput([{ field: 'transform', reason }]);
}

/**
 * `secret` in the answer is what the receiver verifies with: the `whsec_` secret (`v1`), or the
 * `whpk_` public key (`v1a`, whose `whsk_` signing key never leaves Hookrelay).
 */
export async function createSubscription(ctx: Ctx, scope: Scope, input: CreateSubscriptionInput): Promise<SubscriptionView & { secret: string }> {
  assertWritable(scope);
  const customerId = actingCustomer(scope, input.customerId);
  checkUrl(ctx, input.url);
  await checkTransform(input.transform);
  const signatureScheme = input.signatureScheme ?? 'v1';
  const secret = newSigningSecret(signatureScheme);
  const now = ctx.now();
  // The id is chosen first: the secret and the headers are encrypted bound to it (crypto.ts).
  const id = newId('subscription', now.getTime());
  const auth = input.auth ? storedAuthentication(ctx, id, input.auth, null, null) : null;
  checkAuthorizationHeader(auth?.authInfo ?? null, Object.keys(input.headers ?? {}));
  // A customer's own request may not go past its cap on subscriptions (limits.ts).
  const [row] = await ctx.db.transaction(async (tx) => {
    await reserveForCustomer(ctx, tx, scope, customerId, 'subscriptions');
    await reserveWindow(ctx, tx, scope, customerId, input.maxInFlight ?? defaultWindow(ctx));
    const inserted = await tx
      .insert(subscriptions)
      .values({
        id,
        customerId,
        url: input.url,
        description: input.description ?? null,
        eventTypes: input.eventTypes,
        channels: input.channels ?? [],
        filter: input.filter ?? null,
        ...storedHeaders(ctx, id, input.headers ?? null),
        ...auth,
        active: input.active ?? true,
        signatureScheme,
        traceContext: input.traceContext ?? false,
        ordering: input.ordering ?? 'lenient',
        transform: input.transform ?? null,
        transformVersion: input.transform === undefined ? 0 : 1,
        secretEnc: encryptSecret(ctx.keys, secret.stored, sealedIn.subscriptionSecret(id)),
        retryPolicy: input.retryPolicy ?? null,
        rateLimitPerSecond: input.rateLimitPerSecond ?? null,
        maxInFlight: input.maxInFlight ?? defaultWindow(ctx),
        timeoutMs: input.timeoutMs ?? 15000,
        autoDisableAfterHours: storedAutoDisable(input.autoDisableAfterHours) ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await auditSubscription(ctx, tx, scope, 'subscription.created', null, inserted[0]!);
    return inserted;
  });
  return { ...toView(ctx, row!), secret: secret.shown };
}

/** Custom headers as stored: names in the clear (for reads), the whole set encrypted (for attempts). */
function storedHeaders(ctx: Ctx, id: string, headers: Record<string, string> | null): { headerNames: string[]; headersEnc: string | null } {
  const names = Object.keys(headers ?? {});
  if (!headers || names.length === 0) return { headerNames: [], headersEnc: null };
  return { headerNames: names, headersEnc: encryptSecret(ctx.keys, JSON.stringify(headers), sealedIn.subscriptionHeaders(id)) };
}

/** The stored custom headers of a subscription, decrypted (empty when it has none). */
function decryptHeaders(ctx: Ctx, row: Pick<Row, 'id' | 'headersEnc'>): Record<string, string> {
  return row.headersEnc ? (JSON.parse(decryptSecret(ctx.keys, row.headersEnc, sealedIn.subscriptionHeaders(row.id))) as Record<string, string>) : {};
}

/**
 * An update's headers with every `"[redacted]"` value replaced by the stored value of that header
 * (names compared case-insensitively), so a read can be edited and sent back without re-entering
 * secrets. `"[redacted]"` for a header the subscription does not have is a 400, and so is any
 * `"[redacted]"` when the update moves the URL to another origin (`movedTo`): stored values were
 * given for the old origin (often its credentials) and are never sent to a new one.
 */
function keepRedacted(ctx: Ctx, before: Row, headers: Record<string, string> | null, movedTo: string | null): Record<string, string> | null {
  if (!headers || !Object.values(headers).includes(REDACTED)) return headers;
  if (movedTo) {
    const name = Object.keys(headers).find((k) => headers[k] === REDACTED)!;
    throw new DomainError(
      'bad_request',
      `the url moves from ${new URL(before.url).origin} to ${movedTo}: stored header values are not sent to another origin; give the value of "${name}" again (or leave the header out)`,
      { field: `headers.${name}` },
    );
  }
  const stored = new Map(Object.entries(decryptHeaders(ctx, before)).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => {
      if (value !== REDACTED) return [name, value];
      const kept = stored.get(name.toLowerCase());
      if (kept === undefined)
        throw new DomainError('bad_request', `"${REDACTED}" keeps a stored value, but the subscription has no header "${name}": give its value`, {
          field: `headers.${name}`,
        });
      return [name, kept];
    }),
  );
}

async function loadScoped(ctx: Ctx, q: Ctx['db'] | Tx, scope: Scope, id: string, lock = false): Promise<Row> {
  const owner = await ownerOf(ctx, scope, 'subscriptions', id);
  if (!owner) throw notFound('subscription');
  const query = q
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.id, id), eq(subscriptions.customerId, owner)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound('subscription');
  return row;
}

export async function getSubscription(ctx: Ctx, scope: Scope, id: string): Promise<SubscriptionView> {
  const row = await loadScoped(ctx, ctx.db, scope, id);
  return toView(ctx, row, (await heldCounts(ctx, [id])).get(id) ?? 0);
}

/**
 * What the receiver verifies with: the `whsec_` secret (`v1`), or the `whpk_` public key (`v1a`). The
 * secret is a credential: a read-only (embedded portal) session may not see it; a public key it may.
 */
export async function getSubscriptionSecret(ctx: Ctx, scope: Scope, id: string): Promise<{ secret: string }> {
  const row = await loadScoped(ctx, ctx.db, scope, id);
  if (scope.kind === 'customer' && scope.readOnly && row.signatureScheme === 'v1')
    throw new DomainError('forbidden', 'a read-only session cannot reveal signing secrets');
  // Revealing a credential is recorded like a change.
  await auditSubscription(ctx, ctx.db, scope, 'subscription.secret_revealed', null, null, row);
  return { secret: verificationKeyOf(decryptSecret(ctx.keys, row.secretEnc, sealedIn.subscriptionSecret(row.id))) };
}

/** Records a change of a subscription (its view: never a secret) in the audit log, in `q`'s transaction. */
async function auditSubscription(
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

/** Subscriptions, newest first, keyset-paginated by id. */
export async function listSubscriptions(
  ctx: Ctx,
  scope: Scope,
  input: { customerId?: string | undefined; limit: number; cursor?: string | undefined },
): Promise<{ data: SubscriptionView[]; nextCursor: string | null }> {
  const customerId = listingCustomer(scope, input.customerId);
  await assertNamed(ctx, scope, customerId, {});
  const rows = await ctx.db
    .select()
    .from(subscriptions)
    .where(and(listedCustomers(customerId, subscriptions.customerId), input.cursor ? lt(subscriptions.id, input.cursor) : undefined))
    .orderBy(desc(subscriptions.id))
    .limit(input.limit + 1);
  const p = page(rows, input.limit);
  const held = await heldCounts(
    ctx,
    p.data.filter((r) => !r.active).map((r) => r.id),
  );
  return { data: p.data.map((r) => toView(ctx, r, held.get(r.id) ?? 0)), nextCursor: p.nextCursor };
}

/**
 * Edits a subscription. Pausing (`active: false`) holds every pending delivery; resuming releases the
 * held ones in publish order with a fresh retry cycle, or discards them as dead letters when
 * `heldDeliveries: 'discard'` says so. Resuming, changing the URL or changing the transform closes the
 * circuit breaker (the endpoint, or what is sent to it, was fixed or replaced: no reason to keep
 * holding attempts back). A changed transform bumps `transformVersion`; the audit entry holds both.
 */
export async function updateSubscription(ctx: Ctx, scope: Scope, id: string, input: UpdateSubscriptionInput): Promise<SubscriptionView> {
  assertWritable(scope);
  checkUrl(ctx, input.url);
  await checkTransform(input.transform);
  const { heldDeliveries, ...changes } = input;
  return ctx.db.transaction(async (tx) => {
    const before = await loadScoped(ctx, tx, scope, id, true);
    if (changes.maxInFlight !== undefined) await reserveWindow(ctx, tx, scope, before.customerId, changes.maxInFlight, before.id);
    const now = ctx.now();
    const resuming = changes.active === true && !before.active;
    const pausing = changes.active === false && before.active;
    if (heldDeliveries !== undefined && !resuming) {
      throw new DomainError('bad_request', 'heldDeliveries applies only when resuming a paused or disabled subscription (active: true)', {
        field: 'heldDeliveries',
      });
    }
    // A new transform may be the fix for what failed (its errors count against the breaker like the endpoint's).
    const transformChanged = changes.transform !== undefined && changes.transform !== before.transform;
    const closeBreaker = resuming || (changes.url !== undefined && changes.url !== before.url) || transformChanged;
    // Custom header values may be credentials for the endpoint they were given for: a URL on another
    // origin (scheme, host, port) does not inherit them. Without `headers` in the same update they are
    // dropped; `"[redacted]"` cannot keep them (keepRedacted).
    const newOrigin = changes.url !== undefined ? new URL(changes.url).origin : null;
    const movedTo = newOrigin !== null && newOrigin !== new URL(before.url).origin ? newOrigin : null;
    const headers = changes.headers !== undefined ? keepRedacted(ctx, before, changes.headers, movedTo) : movedTo && before.headersEnc ? null : undefined;
    // Endpoint auth: replaced, removed (null) or kept; OAuth2 credentials never follow the
    // endpoint to another origin on their own (endpoint-credentials.ts).
    if (changes.auth === undefined) checkAuthOnMove(before, movedTo);
    const auth = changes.auth !== undefined ? storedAuthentication(ctx, id, changes.auth, before, movedTo) : undefined;
    checkAuthorizationHeader(auth ? auth.authInfo : before.authInfo, headers !== undefined ? Object.keys(headers ?? {}) : before.headerNames);
    const [row] = await tx
      .update(subscriptions)
      .set({
        ...(changes.url !== undefined && { url: changes.url }),
        ...(changes.eventTypes !== undefined && { eventTypes: changes.eventTypes }),
        ...(changes.filter !== undefined && { filter: changes.filter }),
        ...(changes.channels !== undefined && { channels: changes.channels }),
        ...(headers !== undefined && storedHeaders(ctx, id, headers)),
        ...auth,
        ...(changes.description !== undefined && { description: changes.description }),
        ...(changes.active !== undefined && { active: changes.active, disabledReason: null }),
        ...(changes.retryPolicy !== undefined && { retryPolicy: changes.retryPolicy }),
        ...(changes.rateLimitPerSecond !== undefined && { rateLimitPerSecond: changes.rateLimitPerSecond }),
        ...(changes.maxInFlight !== undefined && { maxInFlight: changes.maxInFlight }),
        ...(changes.timeoutMs !== undefined && { timeoutMs: changes.timeoutMs }),
        ...(changes.traceContext !== undefined && { traceContext: changes.traceContext }),
        ...(changes.ordering !== undefined && { ordering: changes.ordering }),
        ...(transformChanged && { transform: changes.transform, transformVersion: before.transformVersion + 1 }),
        ...(changes.autoDisableAfterHours !== undefined && { autoDisableAfterHours: storedAutoDisable(changes.autoDisableAfterHours) }),
        // A resumed, re-pointed or re-transformed endpoint starts afresh: breaker closed, no failures counted.
        ...(closeBreaker && { ...breakerReset(), failingSince: null }),
        updatedAt: now,
      })
      .where(and(eq(subscriptions.id, id), eq(subscriptions.customerId, before.customerId)))
      .returning();
    if (pausing) await holdPending(ctx, tx, before);
    if (resuming) await resumeHeld(ctx, tx, before, heldDeliveries ?? 'release');
    const action = pausing
      ? 'subscription.paused'
      : resuming
        ? heldDeliveries === 'discard'
          ? 'subscription.resumed_discarding_held'
          : 'subscription.resumed'
        : 'subscription.updated';
    await auditSubscription(ctx, tx, scope, action, before, row!);
    const [held] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(deliveries)
      .where(and(eq(deliveries.subscriptionId, id), eq(deliveries.status, 'held')));
    return toView(ctx, row!, held?.n ?? 0);
  });
}

/**
 * "Retry now" on a subscription whose circuit breaker is open: its probe goes out on the next
 * dispatcher tick instead of after the cool-down.
 */
export async function probeNow(ctx: Ctx, scope: Scope, id: string): Promise<SubscriptionView> {
  assertWritable(scope);
  return ctx.db.transaction(async (tx) => {
    const before = await loadScoped(ctx, tx, scope, id, true);
    if (!before.active) throw new DomainError('conflict', 'subscription is paused or disabled; resume it to send again');
    if (before.breakerState === 'closed') throw new DomainError('conflict', 'the circuit breaker is closed: nothing is held back');
    const now = ctx.now();
    const [row] = await tx.update(subscriptions).set({ breakerProbeAt: now, backlog: true, updatedAt: now }).where(eq(subscriptions.id, id)).returning();
    await auditSubscription(ctx, tx, scope, 'subscription.probe_requested', before, row!);
    return toView(ctx, row!);
  });
}

export async function deleteSubscription(ctx: Ctx, scope: Scope, id: string): Promise<{ id: string; deleted: true }> {
  assertWritable(scope);
  await ctx.db.transaction(async (tx) => {
    const before = await loadScoped(ctx, tx, scope, id, true);
    // Its deliveries go by foreign key; its attempts have none (drizzle/schema/deliveries.ts).
    await tx.delete(attempts).where(and(eq(attempts.subscriptionId, id), eq(attempts.customerId, before.customerId)));
    await tx.delete(subscriptions).where(eq(subscriptions.id, id));
    await auditSubscription(ctx, tx, scope, 'subscription.deleted', before, null);
  });
  return { id, deleted: true };
}

/** New secret (or `v1a` key pair) now; the old one keeps signing (a second signature) for 24 hours. */
export async function rotateSecret(ctx: Ctx, scope: Scope, id: string): Promise<SubscriptionView & { secret: string }> {
  assertWritable(scope);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const before = await loadScoped(ctx, tx, scope, id, true);
    const secret = newSigningSecret(before.signatureScheme);
    const [row] = await tx
      .update(subscriptions)
      .set({
        secretEnc: encryptSecret(ctx.keys, secret.stored, sealedIn.subscriptionSecret(id)),
        // The same row and the same binding (`secret`): the ciphertext moves as it is.
        previousSecretEnc: before.secretEnc,
        previousSecretExpiresAt: new Date(now.getTime() + ROTATION_GRACE_MS),
        updatedAt: now,
      })
      .where(eq(subscriptions.id, id))
      .returning();
    await auditSubscription(ctx, tx, scope, 'subscription.secret_rotated', before, row!);
    return { ...toView(ctx, row!), secret: secret.shown };
  });
}
