import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { deliveries, subscriptions } from '../../drizzle/schema';
import type { Tx } from '../db/client';
import type { Ctx, Scope } from './context';
import { decryptSecret, encryptSecret } from './crypto';
import { admit, flagBacklog } from './dispatch';
import { DomainError, notFound } from './errors';
import { reserveForCustomer } from './limits';
import { newId } from './ids';
import { actingCustomer, assertWritable, listingCustomer, scopeFilter } from './scope';
import type { CreateSubscriptionInput, UpdateSubscriptionInput } from './schemas';
import { generateSecret } from './signing';
import { checkTargetUrl } from './url-guard';

/** How long a rotated-out secret keeps signing alongside the new one. */
export const ROTATION_GRACE_MS = 24 * 3600_000;

type Row = typeof subscriptions.$inferSelect;

export type SubscriptionView = {
  id: string;
  customerId: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  active: boolean;
  disabledReason: string | null;
  retryPolicy: { maxAttempts?: number; scheduleSeconds?: number[] } | null;
  rateLimitPerSecond: number | null;
  maxInFlight: number;
  timeoutMs: number;
  breaker: { state: string; consecutiveFailures: number; openedAt: string | null; probeAt: string | null };
  secretRotationEndsAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export function toView(s: Row): SubscriptionView {
  return {
    id: s.id,
    customerId: s.customerId,
    url: s.url,
    description: s.description,
    eventTypes: s.eventTypes,
    active: s.active,
    disabledReason: s.disabledReason,
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
    secretRotationEndsAt: s.previousSecretExpiresAt?.toISOString() ?? null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

function checkUrl(ctx: Ctx, url: string | undefined) {
  if (url === undefined) return;
  const reason = checkTargetUrl(url, ctx.config.allowPrivateTargets);
  if (reason) throw new DomainError('bad_request', `url ${reason}`, { field: 'url' });
}

export async function createSubscription(ctx: Ctx, scope: Scope, input: CreateSubscriptionInput): Promise<SubscriptionView & { secret: string }> {
  assertWritable(scope);
  const customerId = actingCustomer(scope, input.customerId);
  checkUrl(ctx, input.url);
  const secret = generateSecret();
  const now = ctx.now();
  // A customer's own request may not go past its cap on subscriptions (limits.ts).
  const [row] = await ctx.db.transaction(async (tx) => {
    await reserveForCustomer(ctx, tx, scope, customerId, 'subscriptions');
    return tx
      .insert(subscriptions)
      .values({
        id: newId('subscription', now.getTime()),
        customerId,
        url: input.url,
        description: input.description ?? null,
        eventTypes: input.eventTypes,
        active: input.active ?? true,
        secretEnc: encryptSecret(ctx.keys, secret),
        retryPolicy: input.retryPolicy ?? null,
        rateLimitPerSecond: input.rateLimitPerSecond ?? null,
        maxInFlight: input.maxInFlight ?? 10,
        timeoutMs: input.timeoutMs ?? 15000,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
  });
  return { ...toView(row!), secret };
}

async function loadScoped(q: Ctx['db'] | Tx, scope: Scope, id: string, lock = false): Promise<Row> {
  const query = q.select().from(subscriptions).where(and(eq(subscriptions.id, id), scopeFilter(scope, subscriptions.customerId)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound('subscription');
  return row;
}

export async function getSubscription(ctx: Ctx, scope: Scope, id: string): Promise<SubscriptionView> {
  return toView(await loadScoped(ctx.db, scope, id));
}

/** The signing secret is a credential: a read-only (embedded portal) session may not see it. */
export async function getSubscriptionSecret(ctx: Ctx, scope: Scope, id: string): Promise<{ secret: string }> {
  const row = await loadScoped(ctx.db, scope, id);
  if (scope.kind === 'customer' && scope.readOnly) throw new DomainError('forbidden', 'a read-only session cannot reveal signing secrets');
  return { secret: decryptSecret(ctx.keys, row.secretEnc) };
}

/** Subscriptions, newest first, keyset-paginated by id. */
export async function listSubscriptions(
  ctx: Ctx,
  scope: Scope,
  input: { customerId?: string | undefined; limit: number; cursor?: string | undefined },
): Promise<{ data: SubscriptionView[]; nextCursor: string | null }> {
  const customerId = listingCustomer(scope, input.customerId);
  const rows = await ctx.db
    .select()
    .from(subscriptions)
    .where(and(customerId ? eq(subscriptions.customerId, customerId) : undefined, input.cursor ? lt(subscriptions.id, input.cursor) : undefined))
    .orderBy(desc(subscriptions.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  return { data: page.map(toView), nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null };
}

export async function updateSubscription(ctx: Ctx, scope: Scope, id: string, input: UpdateSubscriptionInput): Promise<SubscriptionView> {
  assertWritable(scope);
  checkUrl(ctx, input.url);
  return ctx.db.transaction(async (tx) => {
    const before = await loadScoped(tx, scope, id, true);
    const now = ctx.now();
    const [row] = await tx
      .update(subscriptions)
      .set({
        ...(input.url !== undefined && { url: input.url }),
        ...(input.eventTypes !== undefined && { eventTypes: input.eventTypes }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.active !== undefined && { active: input.active, disabledReason: null }),
        ...(input.retryPolicy !== undefined && { retryPolicy: input.retryPolicy }),
        ...(input.rateLimitPerSecond !== undefined && { rateLimitPerSecond: input.rateLimitPerSecond }),
        ...(input.maxInFlight !== undefined && { maxInFlight: input.maxInFlight }),
        ...(input.timeoutMs !== undefined && { timeoutMs: input.timeoutMs }),
        ...(input.active === true && { breakerState: 'closed' as const, breakerFailures: 0, breakerOpenedAt: null, breakerProbeAt: null }),
        updatedAt: now,
      })
      .where(eq(subscriptions.id, id))
      .returning();
    if (input.active === true && !before.active) await releaseHeld(ctx, tx, id);
    return toView(row!);
  });
}

/**
 * Re-activating a subscription releases the deliveries held while it was off: each starts a fresh
 * retry cycle and gets its next attempt job, in the same transaction as the update.
 */
export async function releaseHeld(ctx: Ctx, tx: Tx, subscriptionId: string): Promise<number> {
  const now = ctx.now();
  const released = await tx
    .update(deliveries)
    .set({ status: 'pending', queuedAt: null, cycleStart: sql`${deliveries.attemptCount}`, cycleStartedAt: now, nextAttemptAt: now, updatedAt: now })
    .where(and(eq(deliveries.subscriptionId, subscriptionId), eq(deliveries.status, 'held')))
    .returning({ id: deliveries.id });
  await admit(ctx, tx, { subscriptionIds: [subscriptionId], fast: true });
  await flagBacklog(tx, [subscriptionId]);
  return released.length;
}

export async function deleteSubscription(ctx: Ctx, scope: Scope, id: string): Promise<{ id: string; deleted: true }> {
  assertWritable(scope);
  await loadScoped(ctx.db, scope, id);
  await ctx.db.delete(subscriptions).where(eq(subscriptions.id, id));
  return { id, deleted: true };
}

/** New secret now; the old one keeps signing (a second signature) for 24 hours. */
export async function rotateSecret(ctx: Ctx, scope: Scope, id: string): Promise<SubscriptionView & { secret: string }> {
  assertWritable(scope);
  const secret = generateSecret();
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const before = await loadScoped(tx, scope, id, true);
    const [row] = await tx
      .update(subscriptions)
      .set({
        secretEnc: encryptSecret(ctx.keys, secret),
        previousSecretEnc: before.secretEnc,
        previousSecretExpiresAt: new Date(now.getTime() + ROTATION_GRACE_MS),
        updatedAt: now,
      })
      .where(eq(subscriptions.id, id))
      .returning();
    return { ...toView(row!), secret };
  });
}

