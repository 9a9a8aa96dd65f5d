import { and, eq } from 'drizzle-orm';
import { subscriptions } from '../../../drizzle/schema';
import type { Tx } from '../../db/client';
import type { Ctx, Scope } from '../context';
import { encryptSecret, sealedIn } from '../crypto';
import { assertWritable } from '../scope';
import { newSigningSecret } from '../delivery/signing';
import { loadScoped } from './subscription-reads';
import { auditSubscription, toView, type SubscriptionView } from './subscription-view';

type Row = typeof subscriptions.$inferSelect;

/** How long a rotated-out secret keeps signing alongside the new one. */
const ROTATION_GRACE_MS = 24 * 3600_000;

/**
 * Stores `stored` as the subscription's signing secret (locked row `before`, at `now`); the one it
 * replaces keeps signing (a second signature) for ROTATION_GRACE_MS. A customer's subscription and
 * an operational webhook (a subscription of the platform customer) rotate alike.
 */
export async function storeRotatedSecret(ctx: Ctx, tx: Tx, before: Row, stored: string, now: Date): Promise<Row> {
  const [row] = await tx
    .update(subscriptions)
    .set({
      secretEnc: encryptSecret(ctx.keys, stored, sealedIn.subscriptionSecret(before.id)),
      // The same row and the same binding (`secret`): the ciphertext moves as it is.
      previousSecretEnc: before.secretEnc,
      previousSecretExpiresAt: new Date(now.getTime() + ROTATION_GRACE_MS),
      updatedAt: now,
    })
    .where(and(eq(subscriptions.id, before.id), eq(subscriptions.customerId, before.customerId)))
    .returning();
  return row!;
}

/** New secret (or `v1a` key pair) now; the old one keeps signing (a second signature) for 24 hours. */
export async function rotateSecret(ctx: Ctx, scope: Scope, id: string): Promise<SubscriptionView & { secret: string }> {
  assertWritable(scope);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const before = await loadScoped(ctx, tx, scope, id, true);
    const secret = newSigningSecret(before.signatureScheme);
    const row = await storeRotatedSecret(ctx, tx, before, secret.stored, now);
    await auditSubscription(ctx, tx, scope, 'subscription.secret_rotated', before, row);
    return { ...toView(ctx, row), secret: secret.shown };
  });
}
