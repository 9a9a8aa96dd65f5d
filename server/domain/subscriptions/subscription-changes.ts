import { and, eq, sql } from 'drizzle-orm';
import { attempts, deliveries, subscriptions } from '../../../drizzle/schema';
import type { Tx } from '../../db/client';
import type { Ctx, Scope } from '../context';
import { encryptSecret, sealedIn } from '../crypto';
import { holdPending, resumeHeld } from '../delivery/holds';
import { breakerReset } from '../delivery/breaker';
import { DomainError } from '../errors';
import { newId } from '../ids';
import { defaultWindow, reserveForCustomer, reserveWindow } from '../tenants/limits';
import { actingCustomer, assertWritable } from '../scope';
import type { CreateSubscriptionInput, UpdateSubscriptionInput } from './inputs';
import { newSigningSecret } from '../delivery/signing';
import { checkAuthOnMove, checkAuthorizationHeader, storedAuthentication } from '../delivery/endpoint-credentials';
import { checkTransform, checkUrl } from './endpoint-checks';
import { keepRedacted, storedHeaders } from './stored-headers';
import { loadScoped } from './subscription-reads';
import { auditSubscription, toView, type SubscriptionView } from './subscription-view';

/** `autoDisableAfterHours` as stored: null from the API means never (0); absent means the deployment's default. */
const storedAutoDisable = (v: number | null | undefined): number | undefined => (v === null ? 0 : v);

/**
 * `secret` in the answer is what the receiver verifies with: the `whsec_` secret (`v1`), or the
 * `whpk_` public key (`v1a`, whose `whsk_` signing key never leaves Hookrelay).
 */
export async function createSubscription(
  ctx: Ctx,
  scope: Scope,
  input: CreateSubscriptionInput,
): Promise<SubscriptionView & { secret: string }> {
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

/**
 * Edits a subscription. Pausing (`active: false`) holds every pending delivery; resuming releases the
 * held ones in publish order with a fresh retry cycle, or discards them as dead letters when
 * `heldDeliveries: 'discard'` says so. Resuming, changing the URL or changing the transform closes the
 * circuit breaker (the endpoint, or what is sent to it, was fixed or replaced: no reason to keep
 * holding attempts back). A changed transform bumps `transformVersion`; the audit entry holds both.
 */
export async function updateSubscription(
  ctx: Ctx,
  scope: Scope,
  id: string,
  input: UpdateSubscriptionInput,
): Promise<SubscriptionView> {
  assertWritable(scope);
  checkUrl(ctx, input.url);
  await checkTransform(input.transform);
  const { heldDeliveries, ...changes } = input;
  return ctx.db.transaction(async (tx) => {
    const before = await loadScoped(ctx, tx, scope, id, true);
    if (changes.maxInFlight !== undefined)
      await reserveWindow(ctx, tx, scope, before.customerId, changes.maxInFlight, before.id);
    const now = ctx.now();
    const resuming = changes.active === true && !before.active;
    const pausing = changes.active === false && before.active;
    if (heldDeliveries !== undefined && !resuming) {
      throw new DomainError(
        'bad_request',
        'heldDeliveries applies only when resuming a paused or disabled subscription (active: true)',
        {
          field: 'heldDeliveries',
        },
      );
    }
    // A new transform may be the fix for what failed (its errors count against the breaker like the endpoint's).
    const transformChanged = changes.transform !== undefined && changes.transform !== before.transform;
    const closeBreaker = resuming || (changes.url !== undefined && changes.url !== before.url) || transformChanged;
    // Custom header values may be credentials for the endpoint they were given for: a URL on another
    // origin (scheme, host, port) does not inherit them. Without `headers` in the same update they are
    // dropped; `"[redacted]"` cannot keep them (keepRedacted).
    const newOrigin = changes.url !== undefined ? new URL(changes.url).origin : null;
    const movedTo = newOrigin !== null && newOrigin !== new URL(before.url).origin ? newOrigin : null;
    const headers =
      changes.headers !== undefined
        ? keepRedacted(ctx, before, changes.headers, movedTo)
        : movedTo && before.headersEnc
          ? null
          : undefined;
    // Endpoint auth: replaced, removed (null) or kept; OAuth2 credentials never follow the
    // endpoint to another origin on their own (endpoint-credentials.ts).
    if (changes.auth === undefined) checkAuthOnMove(before, movedTo);
    const auth = changes.auth !== undefined ? storedAuthentication(ctx, id, changes.auth, before, movedTo) : undefined;
    checkAuthorizationHeader(
      auth ? auth.authInfo : before.authInfo,
      headers !== undefined ? Object.keys(headers ?? {}) : before.headerNames,
    );
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
        ...(changes.autoDisableAfterHours !== undefined && {
          autoDisableAfterHours: storedAutoDisable(changes.autoDisableAfterHours),
        }),
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
    if (!before.active)
      throw new DomainError('conflict', 'subscription is paused or disabled; resume it to send again');
    if (before.breakerState === 'closed')
      throw new DomainError('conflict', 'the circuit breaker is closed: nothing is held back');
    const now = ctx.now();
    const [row] = await tx
      .update(subscriptions)
      .set({ breakerProbeAt: now, backlog: true, updatedAt: now })
      .where(and(eq(subscriptions.id, id), eq(subscriptions.customerId, before.customerId)))
      .returning();
    await auditSubscription(ctx, tx, scope, 'subscription.probe_requested', before, row!);
    return toView(ctx, row!);
  });
}

/**
 * Deletes a subscription (a customer's, or an operational webhook) with its delivery history: its
 * deliveries go by foreign key; its attempts have none (drizzle/schema/deliveries.ts), so they go here.
 */
export async function deleteSubscriptionRows(tx: Tx, sub: { id: string; customerId: string }): Promise<void> {
  await tx.delete(attempts).where(and(eq(attempts.subscriptionId, sub.id), eq(attempts.customerId, sub.customerId)));
  await tx.delete(subscriptions).where(and(eq(subscriptions.id, sub.id), eq(subscriptions.customerId, sub.customerId)));
}

export async function deleteSubscription(ctx: Ctx, scope: Scope, id: string): Promise<{ id: string; deleted: true }> {
  assertWritable(scope);
  await ctx.db.transaction(async (tx) => {
    const before = await loadScoped(ctx, tx, scope, id, true);
    await deleteSubscriptionRows(tx, before);
    await auditSubscription(ctx, tx, scope, 'subscription.deleted', before, null);
  });
  return { id, deleted: true };
}
