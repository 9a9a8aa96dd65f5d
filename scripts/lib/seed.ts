import { eq } from 'drizzle-orm';
import { customers, users } from '../../drizzle/schema';
import type { Ctx } from '../../server/domain/context';
import { platformScope } from '../../server/domain/context';
import { createApiKey, createCustomer, createUser } from '../../server/domain/tenants/customers';

export const DEMO_EMAIL = 'demo@hookrelay.local';
export const DEMO_PASSWORD = 'hookrelay-demo';

/** The demo tenant of `pnpm dev`: a customer with a dashboard login. Idempotent. */
export async function seedDemo(ctx: Ctx): Promise<{ customerId: string }> {
  const [existing] = await ctx.db.select({ id: customers.id }).from(customers).where(eq(customers.externalId, 'demo'));
  const customerId = existing?.id ?? (await createCustomer(ctx, platformScope, { name: 'Acme (demo)', externalId: 'demo' })).id;
  const [user] = await ctx.db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_EMAIL));
  if (!user) await createUser(ctx, { email: DEMO_EMAIL, password: DEMO_PASSWORD, customerId });
  return { customerId };
}

export async function newPlatformKey(ctx: Ctx, name = 'dev'): Promise<string> {
  return (await createApiKey(ctx, null, name)).key;
}
