import { eq, sql } from 'drizzle-orm';
import bcrypt from 'bcryptjs';
import { customers, users } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { DomainError } from '../errors';
import { newId } from '../ids';
import { recordAudit } from '../audit/log';
import { isPlatformCustomer } from '../platform-customer';
import { requirePlatform } from './customers';

/** Dashboard login provisioned by the platform for one of its customers. */
export async function createDashboardUser(
  ctx: Ctx,
  scope: Scope,
  customerId: string,
  input: { email: string; password: string },
) {
  requirePlatform(scope);
  const user = await createUser(ctx, { ...input, customerId });
  await recordAudit(ctx, ctx.db, scope, {
    customerId,
    action: 'user.created',
    target: { kind: 'user', id: user.id },
    after: { email: user.email },
  });
  return user;
}

export async function createUser(ctx: Ctx, input: { email: string; password: string; customerId: string }) {
  if (input.password.length < 8)
    throw new DomainError('bad_request', 'password must be at least 8 characters', { field: 'password' });
  if (isPlatformCustomer(input.customerId))
    throw new DomainError('not_found', 'customer not found', { field: 'customerId' });
  const [customer] = await ctx.db
    .select({ id: customers.id })
    .from(customers)
    .where(eq(customers.id, input.customerId));
  if (!customer) throw new DomainError('not_found', 'customer not found', { field: 'customerId' });
  const passwordHash = await bcrypt.hash(input.password, 10);
  const rows = await ctx.db
    .insert(users)
    .values({
      id: newId('user'),
      customerId: input.customerId,
      email: input.email.toLowerCase(),
      passwordHash,
      createdAt: ctx.now(),
    })
    .onConflictDoNothing()
    .returning({ id: users.id, email: users.email, customerId: users.customerId });
  if (!rows[0])
    throw new DomainError('conflict', `a user with email ${input.email} already exists`, { field: 'email' });
  return rows[0];
}

let dummyHash: string | undefined;

export async function verifyPassword(ctx: Ctx, email: string, password: string) {
  const [user] = await ctx.db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  // Compare against a dummy hash when the user does not exist, so timing does not reveal emails.
  dummyHash ??= await bcrypt.hash('not-a-password', 10);
  const ok = await bcrypt.compare(password, user?.passwordHash ?? dummyHash);
  return user && ok
    ? { id: user.id, email: user.email, customerId: user.customerId, sessionVersion: user.sessionVersion }
    : null;
}
