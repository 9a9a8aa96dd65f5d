import { and, eq, like } from 'drizzle-orm';
import { customers, subscriptions, users } from '../../drizzle/schema';
import type { Ctx } from '../../server/domain/context';
import { platformScope } from '../../server/domain/context';
import { createSubscriptionInput, updateSubscriptionInput } from '../../server/domain/subscriptions/inputs';
import { authenticateApiKey, createApiKey } from '../../server/domain/tenants/api-keys';
import { createCustomer } from '../../server/domain/tenants/customers';
import { createUser } from '../../server/domain/tenants/dashboard-users';
import { createSubscription, updateSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { DEV_RECEIVER_PATH } from '../../server/dev/receiver';

export const DEMO_EMAIL = 'demo@hookrelay.local';
export const DEMO_PASSWORD = 'hookrelay-demo';
const INBOX_DESCRIPTION = 'pnpm dev inbox: every event, listed at /dashboard/inbox';

/**
 * The demo tenant of `pnpm dev`: a customer with a dashboard login and, given the development
 * receiver's URL, a subscription to it for every event type, so that the first publish shows up in
 * the inbox. Idempotent: a second run finds them, and moves the subscription when the port changed.
 * The subscription needs private targets allowed (the receiver is on this machine); without them
 * there is none, and `subscriptionId` is null.
 */
export async function seedDemo(
  ctx: Ctx,
  opts: { receiverUrl?: string } = {},
): Promise<{ customerId: string; subscriptionId: string | null }> {
  const [existing] = await ctx.db.select({ id: customers.id }).from(customers).where(eq(customers.externalId, 'demo'));
  const customerId =
    existing?.id ?? (await createCustomer(ctx, platformScope, { name: 'Acme (demo)', externalId: 'demo' })).id;
  const [user] = await ctx.db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_EMAIL));
  if (!user) await createUser(ctx, { email: DEMO_EMAIL, password: DEMO_PASSWORD, customerId });
  if (!opts.receiverUrl || !ctx.config.allowPrivateTargets) return { customerId, subscriptionId: null };
  const [inbox] = await ctx.db
    .select({ id: subscriptions.id, url: subscriptions.url })
    .from(subscriptions)
    .where(and(eq(subscriptions.customerId, customerId), like(subscriptions.url, `%${DEV_RECEIVER_PATH}`)))
    .limit(1);
  if (inbox) {
    if (inbox.url !== opts.receiverUrl)
      await updateSubscription(ctx, platformScope, inbox.id, updateSubscriptionInput.parse({ url: opts.receiverUrl }));
    return { customerId, subscriptionId: inbox.id };
  }
  const created = await createSubscription(
    ctx,
    platformScope,
    createSubscriptionInput.parse({
      customerId,
      url: opts.receiverUrl,
      eventTypes: ['*'],
      description: INBOX_DESCRIPTION,
    }),
  );
  return { customerId, subscriptionId: created.id };
}

/** `saved` when it is a live platform key of this database (the dev secrets file outlives databases), else a new one. */
export async function platformKeyFor(ctx: Ctx, saved: string | undefined, name = 'dev'): Promise<string> {
  if (saved) {
    const principal = await authenticateApiKey(ctx, saved);
    if (principal?.scope.kind === 'platform') return saved;
  }
  return (await createApiKey(ctx, null, name)).key;
}
