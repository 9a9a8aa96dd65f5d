import { eq, ne } from 'drizzle-orm';
import { customers } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { DomainError, notFound } from '../errors';
import { newId } from '../ids';
import { keysetPage } from '../paging';
import { recordAudit } from '../audit/log';
import { isPlatformCustomer, PLATFORM_CUSTOMER_ID } from '../platform-customer';

/** Customers: created by the platform, each seeing only itself. */
export function requirePlatform(scope: Scope): void {
  if (scope.kind !== 'platform') throw new DomainError('forbidden', 'this operation needs a platform API key');
}

/** A customer; `externalId` (the platform's own id for it) is unique, a second one is a 409 and creates nothing. */
export async function createCustomer(
  ctx: Ctx,
  scope: Scope,
  input: { name: string; externalId?: string | undefined; tier?: string | undefined },
) {
  requirePlatform(scope);
  const id = newId('customer');
  const row = await ctx.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(customers)
      .values({
        id,
        name: input.name,
        externalId: input.externalId ?? null,
        tier: input.tier ?? 'standard',
        createdAt: ctx.now(),
      })
      .onConflictDoNothing()
      .returning();
    if (!inserted)
      throw new DomainError('conflict', `a customer with externalId "${input.externalId}" already exists`, {
        field: 'externalId',
      });
    await recordAudit(ctx, tx, scope, {
      customerId: id,
      action: 'customer.created',
      target: { kind: 'customer', id },
      after: customerView(inserted),
    });
    return inserted;
  });
  return customerView(row);
}

export function customerView(c: typeof customers.$inferSelect) {
  return {
    id: c.id,
    name: c.name,
    externalId: c.externalId,
    tier: c.tier,
    retentionDays: c.retentionDays,
    createdAt: c.createdAt.toISOString(),
  };
}

export async function getCustomer(ctx: Ctx, scope: Scope, id: string) {
  if ((scope.kind === 'customer' && scope.customerId !== id) || isPlatformCustomer(id)) throw notFound('customer');
  const [row] = await ctx.db.select().from(customers).where(eq(customers.id, id));
  if (!row) throw notFound('customer');
  return customerView(row);
}

/** Customers, newest first, keyset-paginated by id; a customer's scope sees only itself. The platform customer is nobody's to list. */
export async function listCustomers(ctx: Ctx, scope: Scope, input: { limit: number; cursor?: string | undefined }) {
  const p = await keysetPage(
    ctx.db.select().from(customers).$dynamic(),
    customers.id,
    scope.kind === 'customer' ? eq(customers.id, scope.customerId) : ne(customers.id, PLATFORM_CUSTOMER_ID),
    input,
  );
  return { data: p.data.map(customerView), nextCursor: p.nextCursor };
}
