import { and, eq } from 'drizzle-orm';
import { subscriptions } from '../../../drizzle/schema';
import type { Tx } from '../../db/client';
import type { Ctx, Scope } from '../context';
import { decryptSecret, sealedIn } from '../crypto';
import { heldCounts } from '../delivery/holds';
import { DomainError, notFound } from '../errors';
import { assertNamed, listedCustomers, listingCustomer, ownerOf } from '../scope';
import { verificationKeyOf } from '../delivery/signing';
import { keysetPage } from '../paging';
import { auditSubscription, toView, type SubscriptionView } from './subscription-view';

type Row = typeof subscriptions.$inferSelect;

/** The subscription `id` as `scope` may see it (another customer's is a 404, like an unknown one); `lock`: for update. */
export async function loadScoped(ctx: Ctx, q: Ctx['db'] | Tx, scope: Scope, id: string, lock = false): Promise<Row> {
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

/** Subscriptions, newest first, keyset-paginated by id. */
export async function listSubscriptions(
  ctx: Ctx,
  scope: Scope,
  input: { customerId?: string | undefined; limit: number; cursor?: string | undefined },
): Promise<{ data: SubscriptionView[]; nextCursor: string | null }> {
  const customerId = listingCustomer(scope, input.customerId);
  await assertNamed(ctx, scope, customerId, {});
  const p = await keysetPage(
    ctx.db.select().from(subscriptions).$dynamic(),
    subscriptions.id,
    listedCustomers(customerId, subscriptions.customerId),
    input,
  );
  const held = await heldCounts(
    ctx,
    p.data.filter((r) => !r.active).map((r) => r.id),
  );
  return { data: p.data.map((r) => toView(ctx, r, held.get(r.id) ?? 0)), nextCursor: p.nextCursor };
}
