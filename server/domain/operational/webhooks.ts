import { and, desc, eq, lt } from 'drizzle-orm';
import type { z } from 'zod';
import { operationalDeliveries, operationalWebhooks } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { generateSecret } from '../delivery/signing';
import { checkTargetUrl } from '../delivery/url-guard';
import { DomainError, notFound } from '../errors';
import { newId } from '../ids';
import { page } from '../paging';
import type { createOperationalWebhookInput, listOperationalDeliveriesInput, listOperationalWebhooksInput, updateOperationalWebhookInput } from '../schemas';
import { decryptSecret, encryptSecret, sealedIn } from '../tenants/crypto';
import { requirePlatform } from '../tenants/customers';
import { ROTATION_GRACE_MS } from '../tenants/subscriptions';
import { recordAudit } from '../audit/log';

/**
 * Operational webhooks, managed by the platform (a platform key; a customer key is a 403): where it
 * hears about its customers' endpoints (event-types.ts). Signed like a subscription's `v1` (a
 * `whsec_` secret, rotated with 24 h of overlap).
 */
type Row = typeof operationalWebhooks.$inferSelect;

export function operationalWebhookView(w: Row) {
  return {
    id: w.id,
    url: w.url,
    description: w.description,
    eventTypes: w.eventTypes ?? null,
    secretRotationEndsAt: w.previousSecretExpiresAt?.toISOString() ?? null,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

export function operationalDeliveryView(d: typeof operationalDeliveries.$inferSelect) {
  return {
    id: d.id,
    webhookId: d.webhookId,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attemptCount: d.attemptCount,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    lastResponseStatus: d.lastResponseStatus,
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    completedAt: d.completedAt?.toISOString() ?? null,
    payload: JSON.parse(d.body) as unknown,
  };
}

function checkUrl(ctx: Ctx, url: string | undefined) {
  if (url === undefined) return;
  const reason = checkTargetUrl(url, ctx.config.allowPrivateTargets, ctx.config.targetPorts);
  if (reason) throw new DomainError('bad_request', `url ${reason}`, { field: 'url' });
}

async function load(ctx: Ctx, id: string): Promise<Row> {
  const [row] = await ctx.db.select().from(operationalWebhooks).where(eq(operationalWebhooks.id, id));
  if (!row) throw notFound('operational webhook');
  return row;
}

export async function createOperationalWebhook(ctx: Ctx, scope: Scope, input: z.infer<typeof createOperationalWebhookInput>) {
  requirePlatform(scope);
  checkUrl(ctx, input.url);
  const secret = generateSecret();
  const now = ctx.now();
  const id = newId('operationalWebhook', now.getTime());
  const [row] = await ctx.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(operationalWebhooks)
      .values({
        id,
        url: input.url,
        description: input.description ?? null,
        eventTypes: input.eventTypes ?? null,
        secretEnc: encryptSecret(ctx.keys, secret, sealedIn.operationalSecret(id)),
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

export async function listOperationalWebhooks(ctx: Ctx, scope: Scope, input: z.infer<typeof listOperationalWebhooksInput>) {
  requirePlatform(scope);
  const rows = await ctx.db
    .select()
    .from(operationalWebhooks)
    .where(input.cursor ? lt(operationalWebhooks.id, input.cursor) : undefined)
    .orderBy(desc(operationalWebhooks.id))
    .limit(input.limit + 1);
  const p = page(rows, input.limit);
  return { data: p.data.map(operationalWebhookView), nextCursor: p.nextCursor };
}

export async function getOperationalWebhook(ctx: Ctx, scope: Scope, id: string) {
  requirePlatform(scope);
  return operationalWebhookView(await load(ctx, id));
}

export async function updateOperationalWebhook(ctx: Ctx, scope: Scope, id: string, input: z.infer<typeof updateOperationalWebhookInput>) {
  requirePlatform(scope);
  checkUrl(ctx, input.url);
  const row = await ctx.db.transaction(async (tx) => {
    const [before] = await tx.select().from(operationalWebhooks).where(eq(operationalWebhooks.id, id)).for('update');
    if (!before) throw notFound('operational webhook');
    const [updated] = await tx
      .update(operationalWebhooks)
      .set({
        ...(input.url !== undefined && { url: input.url }),
        ...(input.eventTypes !== undefined && { eventTypes: input.eventTypes }),
        ...(input.description !== undefined && { description: input.description }),
        updatedAt: ctx.now(),
      })
      .where(eq(operationalWebhooks.id, id))
      .returning();
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

/** Deletes the webhook with its delivery history; attempts still queued find nothing and end. */
export async function deleteOperationalWebhook(ctx: Ctx, scope: Scope, id: string) {
  requirePlatform(scope);
  await ctx.db.transaction(async (tx) => {
    const deleted = await tx.delete(operationalWebhooks).where(eq(operationalWebhooks.id, id)).returning();
    if (deleted.length === 0) throw notFound('operational webhook');
    await recordAudit(ctx, tx, scope, {
      customerId: null,
      action: 'operational_webhook.deleted',
      target: { kind: 'operational_webhook', id },
      before: operationalWebhookView(deleted[0]!),
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
    const [before] = await tx.select().from(operationalWebhooks).where(eq(operationalWebhooks.id, id)).for('update');
    if (!before) throw notFound('operational webhook');
    const [row] = await tx
      .update(operationalWebhooks)
      .set({
        secretEnc: encryptSecret(ctx.keys, secret, sealedIn.operationalSecret(id)),
        previousSecretEnc: before.secretEnc,
        previousSecretExpiresAt: new Date(now.getTime() + ROTATION_GRACE_MS),
        updatedAt: now,
      })
      .where(eq(operationalWebhooks.id, id))
      .returning();
    await recordAudit(ctx, tx, scope, {
      customerId: null,
      action: 'operational_webhook.secret_rotated',
      target: { kind: 'operational_webhook', id },
      before: operationalWebhookView(before),
      after: operationalWebhookView(row!),
    });
    return { ...operationalWebhookView(row!), secret };
  });
}

/** The secrets that sign an attempt: the current one, plus the rotated-out one during its grace period. */
export function operationalSecrets(ctx: Ctx, w: Pick<Row, 'id' | 'secretEnc' | 'previousSecretEnc' | 'previousSecretExpiresAt'>): string[] {
  const secrets = [decryptSecret(ctx.keys, w.secretEnc, sealedIn.operationalSecret(w.id))];
  if (w.previousSecretEnc && w.previousSecretExpiresAt && w.previousSecretExpiresAt > ctx.now())
    secrets.push(decryptSecret(ctx.keys, w.previousSecretEnc, sealedIn.operationalSecret(w.id)));
  return secrets;
}

/** What was sent to one operational webhook, newest first, with the outcome of each delivery's last attempt. */
export async function listOperationalDeliveries(ctx: Ctx, scope: Scope, id: string, input: z.infer<typeof listOperationalDeliveriesInput>) {
  requirePlatform(scope);
  await load(ctx, id);
  const rows = await ctx.db
    .select()
    .from(operationalDeliveries)
    .where(
      and(
        eq(operationalDeliveries.webhookId, id),
        input.status ? eq(operationalDeliveries.status, input.status) : undefined,
        input.cursor ? lt(operationalDeliveries.id, input.cursor) : undefined,
      ),
    )
    .orderBy(desc(operationalDeliveries.id))
    .limit(input.limit + 1);
  const p = page(rows, input.limit);
  return { data: p.data.map(operationalDeliveryView), nextCursor: p.nextCursor };
}
