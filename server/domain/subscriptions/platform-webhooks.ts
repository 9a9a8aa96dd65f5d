import { and, eq, inArray } from 'drizzle-orm';
import type { z } from 'zod';
import { deliveries, events, subscriptions } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import type { DeliveryStatus } from '../../../drizzle/schema/values';
import { breakerReset } from '../delivery/breaker';
import { generateSecret } from '../delivery/signing';
import { resumeHeld } from '../delivery/holds';
import { notFound } from '../errors';
import { newId } from '../ids';
import { keysetPage, keysetRows, page } from '../paging';
import type {
  createOperationalWebhookInput,
  listOperationalDeliveriesInput,
  listOperationalWebhooksInput,
  updateOperationalWebhookInput,
} from './inputs';
import { encryptSecret, sealedIn } from '../crypto';
import { requirePlatform } from '../tenants/customers';
import { PLATFORM_CUSTOMER_ID } from '../platform-customer';
import { storeRotatedSecret } from './signing-secret-rotation';
import { deleteSubscriptionRows } from './subscription-changes';
import { checkUrl } from './endpoint-checks';
import { recordAudit } from '../audit/log';
import type { OperationalDeliveryStatus, OperationalEventType } from '../notices/event-types';
import { deliveryEvent } from '../delivery/joins';

/**
 * Operational webhooks, managed by the platform (a platform key; a customer key is a 403): where it
 * hears about its customers' endpoints (event-types.ts). Each is a subscription of the platform
 * customer (tenants/platform-customer.ts) whose id is the webhook's (`owh_…`): delivered, retried,
 * breaker-protected and recorded by the one delivery engine, signed `v1` with a `whsec_` secret
 * (rotated with 24 h of overlap), on the default retry policy, never auto-disabled. A `410 Gone`
 * disables it like any subscription (what comes meanwhile is held); a new URL enables it again and
 * sends what was held.
 */
type Row = typeof subscriptions.$inferSelect;

/** "Every type" is stored as the pattern `*`, and shown as null. */
const EVERY = ['*'];
const storedTypes = (types: readonly OperationalEventType[] | null | undefined): string[] =>
  types ? [...types] : EVERY;

export function operationalWebhookView(w: Row) {
  return {
    id: w.id,
    url: w.url,
    description: w.description,
    eventTypes: w.eventTypes.includes('*') ? null : (w.eventTypes as OperationalEventType[]),
    secretRotationEndsAt: w.previousSecretExpiresAt?.toISOString() ?? null,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

/**
 * An operational delivery is the platform customer's delivery; the API names it `odl_…` with the
 * delivery's own time-ordered suffix (`dlv_…`), so ids, cursors and their order are the delivery's.
 */
const operationalDeliveryId = (deliveryId: string) => `odl_${deliveryId.slice(4)}`;
const deliveryIdOfOperational = (id: string) => `dlv_${id.slice(4)}`;

/** Held (its webhook was disabled by a 410) is still pending for the platform: it goes out once the URL is fixed. */
const operationalStatus = (s: DeliveryStatus): OperationalDeliveryStatus => (s === 'held' ? 'pending' : s);
const deliveryStatusesOf = (s: OperationalDeliveryStatus): DeliveryStatus[] =>
  s === 'pending' ? ['pending', 'held'] : [s];

export function operationalDeliveryView(d: typeof deliveries.$inferSelect, body: string) {
  const done = d.status === 'succeeded' || d.status === 'dead';
  return {
    id: operationalDeliveryId(d.id),
    webhookId: d.subscriptionId,
    eventId: d.eventId,
    eventType: d.eventType as OperationalEventType,
    status: operationalStatus(d.status),
    attemptCount: d.attemptCount,
    nextAttemptAt: done ? null : (d.nextAttemptAt?.toISOString() ?? null),
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    lastResponseStatus: d.lastResponseStatus,
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    completedAt: d.completedAt?.toISOString() ?? null,
    // An expunged body is empty.
    payload: body ? (JSON.parse(body) as unknown) : null,
  };
}

const own = (id: string) => and(eq(subscriptions.id, id), eq(subscriptions.customerId, PLATFORM_CUSTOMER_ID));

async function load(ctx: Ctx, id: string): Promise<Row> {
  const [row] = await ctx.db.select().from(subscriptions).where(own(id));
  if (!row) throw notFound('operational webhook');
  return row;
}

export async function createOperationalWebhook(
  ctx: Ctx,
  scope: Scope,
  input: z.infer<typeof createOperationalWebhookInput>,
) {
  requirePlatform(scope);
  checkUrl(ctx, input.url);
  const secret = generateSecret();
  const now = ctx.now();
  const id = newId('operationalWebhook', now.getTime());
  const [row] = await ctx.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(subscriptions)
      .values({
        id,
        customerId: PLATFORM_CUSTOMER_ID,
        url: input.url,
        description: input.description ?? null,
        eventTypes: storedTypes(input.eventTypes),
        secretEnc: encryptSecret(ctx.keys, secret, sealedIn.subscriptionSecret(id)),
        // The platform's own endpoint is never switched off for failing: its notices wait out the breaker and retry.
        autoDisableAfterHours: 0,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await recordAudit(ctx, tx, scope, {
      customerId: null,
      action: 'operational_webhook.created',
      target: { kind: 'operational_webhook', id: inserted[0]!.id },
      after: operationalWebhookView(inserted[0]!),
    });
    return inserted;
  });
  return { ...operationalWebhookView(row!), secret };
}

export async function listOperationalWebhooks(
  ctx: Ctx,
  scope: Scope,
  input: z.infer<typeof listOperationalWebhooksInput>,
) {
  requirePlatform(scope);
  const p = await keysetPage(
    ctx.db.select().from(subscriptions).$dynamic(),
    subscriptions.id,
    eq(subscriptions.customerId, PLATFORM_CUSTOMER_ID),
    input,
  );
  return { data: p.data.map(operationalWebhookView), nextCursor: p.nextCursor };
}

export async function getOperationalWebhook(ctx: Ctx, scope: Scope, id: string) {
  requirePlatform(scope);
  return operationalWebhookView(await load(ctx, id));
}

/**
 * A new URL starts the endpoint afresh, as for any subscription: breaker closed, failures forgotten,
 * and, when a 410 had disabled it, enabled again with what it held released.
 */
export async function updateOperationalWebhook(
  ctx: Ctx,
  scope: Scope,
  id: string,
  input: z.infer<typeof updateOperationalWebhookInput>,
) {
  requirePlatform(scope);
  checkUrl(ctx, input.url);
  const row = await ctx.db.transaction(async (tx) => {
    const [before] = await tx.select().from(subscriptions).where(own(id)).for('update');
    if (!before) throw notFound('operational webhook');
    const moved = input.url !== undefined && input.url !== before.url;
    const [updated] = await tx
      .update(subscriptions)
      .set({
        ...(input.url !== undefined && { url: input.url }),
        ...(input.eventTypes !== undefined && { eventTypes: storedTypes(input.eventTypes) }),
        ...(input.description !== undefined && { description: input.description }),
        ...(moved && { active: true, disabledReason: null, ...breakerReset(), failingSince: null }),
        updatedAt: ctx.now(),
      })
      .where(own(id))
      .returning();
    if (moved && !before.active) await resumeHeld(ctx, tx, before, 'release');
    await recordAudit(ctx, tx, scope, {
      customerId: null,
      action: 'operational_webhook.updated',
      target: { kind: 'operational_webhook', id },
      before: operationalWebhookView(before),
      after: operationalWebhookView(updated!),
    });
    return updated!;
  });
  return operationalWebhookView(row);
}

/** Deletes the webhook with its delivery history (deliveries by foreign key, attempts here); jobs still queued find nothing and end. */
export async function deleteOperationalWebhook(ctx: Ctx, scope: Scope, id: string) {
  requirePlatform(scope);
  await ctx.db.transaction(async (tx) => {
    const [before] = await tx.select().from(subscriptions).where(own(id)).for('update');
    if (!before) throw notFound('operational webhook');
    await deleteSubscriptionRows(tx, before);
    await recordAudit(ctx, tx, scope, {
      customerId: null,
      action: 'operational_webhook.deleted',
      target: { kind: 'operational_webhook', id },
      before: operationalWebhookView(before),
    });
  });
  return { id, deleted: true as const };
}

/** New secret now; the old one keeps signing (a second signature) for 24 hours. */
export async function rotateOperationalWebhookSecret(ctx: Ctx, scope: Scope, id: string) {
  requirePlatform(scope);
  const secret = generateSecret();
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const [before] = await tx.select().from(subscriptions).where(own(id)).for('update');
    if (!before) throw notFound('operational webhook');
    const row = await storeRotatedSecret(ctx, tx, before, secret, now);
    await recordAudit(ctx, tx, scope, {
      customerId: null,
      action: 'operational_webhook.secret_rotated',
      target: { kind: 'operational_webhook', id },
      before: operationalWebhookView(before),
      after: operationalWebhookView(row),
    });
    return { ...operationalWebhookView(row), secret };
  });
}

/**
 * What was sent to one operational webhook, newest first, with the outcome of each delivery's last
 * attempt: the platform customer's deliveries to that subscription, with their events' bodies.
 */
export async function listOperationalDeliveries(
  ctx: Ctx,
  scope: Scope,
  id: string,
  input: z.infer<typeof listOperationalDeliveriesInput>,
) {
  requirePlatform(scope);
  await load(ctx, id);
  const rows = await keysetRows(
    ctx.db.select({ d: deliveries, body: events.body }).from(deliveries).innerJoin(events, deliveryEvent).$dynamic(),
    deliveries.id,
    and(
      eq(deliveries.customerId, PLATFORM_CUSTOMER_ID),
      eq(deliveries.subscriptionId, id),
      input.status ? inArray(deliveries.status, deliveryStatusesOf(input.status)) : undefined,
    ),
    { limit: input.limit, cursor: input.cursor && deliveryIdOfOperational(input.cursor) },
  );
  const p = page(
    rows.map((r) => Object.assign(r, { id: r.d.id })),
    input.limit,
  );
  return {
    data: p.data.map((r) => operationalDeliveryView(r.d, r.body)),
    nextCursor: p.nextCursor && operationalDeliveryId(p.nextCursor),
  };
}
