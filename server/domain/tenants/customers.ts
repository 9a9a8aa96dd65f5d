import { randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, lt, ne, sql } from 'drizzle-orm';
import bcrypt from 'bcryptjs';
import { apiKeys, customers, portalTokens, users } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { DomainError, notFound } from '../errors';
import { hashToken } from '../crypto';
import { newId } from '../ids';
import type { Queryable } from '../../db/client';
import { reserveForCustomer } from './limits';
import { assertWritable, listingCustomer } from '../scope';
import { page } from '../paging';
import { recordAudit } from '../audit/log';
import type { PortalTheme } from '../../../drizzle/schema/values';
import { KEY_SCOPES, type KeyScope } from '../context';
import { scopesForNewKey } from './key-scopes';
import { isPlatformCustomer, PLATFORM_CUSTOMER_ID } from '../platform-customer';

/**
 * Customers, API keys, dashboard users and portal links.
 * API keys: `hr_live_<40 base62-ish chars>`; platform keys `hr_plat_...`. Stored as SHA-256 hashes,
 * shown once; the first 12 characters are kept as `prefix` so a leaked key is recognisable.
 */
const PLATFORM_PREFIX = 'hr_plat_';
const CUSTOMER_PREFIX = 'hr_live_';

function randomToken(bytes = 30): string {
  return randomBytes(bytes).toString('base64url');
}

export type Principal = { keyId: string; scope: Scope };

export function requirePlatform(scope: Scope): void {
  if (scope.kind !== 'platform') throw new DomainError('forbidden', 'this operation needs a platform API key');
}

/** A customer; `externalId` (the platform's own id for it) is unique, a second one is a 409 and creates nothing. */
export async function createCustomer(ctx: Ctx, scope: Scope, input: { name: string; externalId?: string | undefined; tier?: string | undefined }) {
  requirePlatform(scope);
  const id = newId('customer');
  const row = await ctx.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(customers)
      .values({ id, name: input.name, externalId: input.externalId ?? null, tier: input.tier ?? 'standard', createdAt: ctx.now() })
      .onConflictDoNothing()
      .returning();
    if (!inserted) throw new DomainError('conflict', `a customer with externalId "${input.externalId}" already exists`, { field: 'externalId' });
    await recordAudit(ctx, tx, scope, { customerId: id, action: 'customer.created', target: { kind: 'customer', id }, after: customerView(inserted) });
    return inserted;
  });
  return customerView(row);
}

export function customerView(c: typeof customers.$inferSelect) {
  return { id: c.id, name: c.name, externalId: c.externalId, tier: c.tier, retentionDays: c.retentionDays, createdAt: c.createdAt.toISOString() };
}

export async function getCustomer(ctx: Ctx, scope: Scope, id: string) {
  if ((scope.kind === 'customer' && scope.customerId !== id) || isPlatformCustomer(id)) throw notFound('customer');
  const [row] = await ctx.db.select().from(customers).where(eq(customers.id, id));
  if (!row) throw notFound('customer');
  return customerView(row);
}

/** Customers, newest first, keyset-paginated by id; a customer's scope sees only itself. The platform customer is nobody's to list. */
export async function listCustomers(ctx: Ctx, scope: Scope, input: { limit: number; cursor?: string | undefined }) {
  const rows = await ctx.db
    .select()
    .from(customers)
    .where(
      and(
        scope.kind === 'customer' ? eq(customers.id, scope.customerId) : ne(customers.id, PLATFORM_CUSTOMER_ID),
        input.cursor ? lt(customers.id, input.cursor) : undefined,
      ),
    )
    .orderBy(desc(customers.id))
    .limit(input.limit + 1);
  const p = page(rows, input.limit);
  return { data: p.data.map(customerView), nextCursor: p.nextCursor };
}

/**
 * Creates an API key for a customer (or a platform key when customerId is null). The key is shown
 * once. The operator's own calls (CLI, seeds) give every scope unless told otherwise; the API passes
 * the scopes it resolved (key-scopes.ts: least privilege by default). Platform keys hold every scope.
 */
export async function createApiKey(ctx: Ctx, customerId: string | null, name?: string, q: Queryable = ctx.db, scopes: readonly KeyScope[] = KEY_SCOPES) {
  // The platform customer's subscriptions are the operational webhooks: only a platform key reaches them.
  if (isPlatformCustomer(customerId)) throw notFound('customer');
  const key = (customerId ? CUSTOMER_PREFIX : PLATFORM_PREFIX) + randomToken();
  const id = newId('apiKey');
  const granted = customerId ? [...scopes] : [...KEY_SCOPES];
  await q
    .insert(apiKeys)
    .values({ id, customerId, name: name ?? null, prefix: key.slice(0, 12), keyHash: hashToken(key), scopes: granted, createdAt: ctx.now() });
  return { id, key, prefix: key.slice(0, 12), customerId, name: name ?? null, scopes: granted };
}

/** A customer's own request may not go past its cap on active keys (limits.ts); the platform's may. */
export async function createCustomerApiKey(ctx: Ctx, scope: Scope, customerId: string, name?: string, scopes?: readonly KeyScope[]) {
  assertWritable(scope);
  await getCustomer(ctx, scope, customerId);
  const granted = scopesForNewKey(scope, scopes);
  return ctx.db.transaction(async (tx) => {
    await reserveForCustomer(ctx, tx, scope, customerId, 'apiKeys');
    const key = await createApiKey(ctx, customerId, name, tx, granted);
    await recordAudit(ctx, tx, scope, {
      customerId,
      action: 'api_key.created',
      target: { kind: 'api_key', id: key.id },
      after: { name: key.name, prefix: key.prefix, scopes: key.scopes },
    });
    return key;
  });
}

export function apiKeyView(k: typeof apiKeys.$inferSelect) {
  return {
    id: k.id,
    kind: k.customerId ? ('customer' as const) : ('platform' as const),
    customerId: k.customerId,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    createdAt: k.createdAt.toISOString(),
    /** Updated at most once a minute (authenticateApiKey). */
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

/**
 * API keys (never the secret, only its prefix), newest first, keyset-paginated by id. A customer sees
 * its own keys; the platform sees every key (platform keys have `customerId: null`) or one customer's.
 */
export async function listApiKeys(ctx: Ctx, scope: Scope, input: { customerId?: string | undefined; limit: number; cursor?: string | undefined }) {
  const customerId = listingCustomer(scope, input.customerId);
  if (customerId) await getCustomer(ctx, scope, customerId);
  const rows = await ctx.db
    .select()
    .from(apiKeys)
    .where(and(customerId ? eq(apiKeys.customerId, customerId) : undefined, input.cursor ? lt(apiKeys.id, input.cursor) : undefined))
    .orderBy(desc(apiKeys.id))
    .limit(input.limit + 1);
  const p = page(rows, input.limit);
  return { data: p.data.map(apiKeyView), nextCursor: p.nextCursor };
}

/**
 * Revokes a key: it stops authenticating at once (every request looks the key up). Revoking a revoked
 * key again succeeds and keeps the first revocation time. A customer can revoke only its own keys.
 */
export async function revokeApiKey(ctx: Ctx, scope: Scope, keyId: string) {
  assertWritable(scope);
  const where = and(eq(apiKeys.id, keyId), scope.kind === 'customer' ? eq(apiKeys.customerId, scope.customerId) : undefined);
  const row = await ctx.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(apiKeys)
      .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${ctx.now().toISOString()}::timestamptz)` })
      .where(where)
      .returning();
    if (!updated) throw notFound('API key');
    await recordAudit(ctx, tx, scope, {
      customerId: updated.customerId,
      action: 'api_key.revoked',
      target: { kind: 'api_key', id: updated.id },
      after: { revokedAt: updated.revokedAt?.toISOString() ?? null },
    });
    return updated;
  });
  // This process forgets it at once; others within their cache's lifetime (apiKeyCacheMs).
  const cache = keyCaches.get(ctx);
  if (cache) for (const [hash, entry] of cache) if (entry.principal.keyId === keyId) cache.delete(hash);
  return { ...apiKeyView(row), revoked: true };
}

/**
 * Valid keys are remembered per process for `apiKeyCacheMs` (5 s by default): a publish then costs
 * no key lookup. A revocation takes effect at once in the process that made it and within that time
 * everywhere else. Unknown and revoked keys are never cached.
 */
const keyCaches = new WeakMap<Ctx, Map<string, { principal: Principal; until: number }>>();
const KEY_CACHE_MAX = 10_000;

/** Resolves a bearer key to who it acts for; null when unknown or revoked. Touches last_used_at at most once a minute. */
export async function authenticateApiKey(ctx: Ctx, key: string): Promise<Principal | null> {
  if (!key.startsWith(PLATFORM_PREFIX) && !key.startsWith(CUSTOMER_PREFIX)) return null;
  const hash = hashToken(key);
  let cache = keyCaches.get(ctx);
  if (!cache) keyCaches.set(ctx, (cache = new Map<string, { principal: Principal; until: number }>()));
  const hit = cache.get(hash);
  if (hit && hit.until > Date.now()) return hit.principal;
  const principal = await lookupApiKey(ctx, hash);
  if (principal && ctx.config.apiKeyCacheMs > 0) {
    if (cache.size >= KEY_CACHE_MAX) cache.clear();
    cache.set(hash, { principal, until: Date.now() + ctx.config.apiKeyCacheMs });
  } else {
    cache.delete(hash);
  }
  return principal;
}

async function lookupApiKey(ctx: Ctx, hash: string): Promise<Principal | null> {
  const [row] = await ctx.db
    .select({ id: apiKeys.id, customerId: apiKeys.customerId, scopes: apiKeys.scopes, revokedAt: apiKeys.revokedAt, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, hash));
  if (!row || row.revokedAt) return null;
  const now = ctx.now();
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await ctx.db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id));
  }
  const keyScopes = KEY_SCOPES.filter((s) => row.scopes.includes(s));
  return { keyId: row.id, scope: row.customerId ? { kind: 'customer', customerId: row.customerId, keyScopes } : { kind: 'platform' } };
}

/** Dashboard login provisioned by the platform for one of its customers. */
export async function createDashboardUser(ctx: Ctx, scope: Scope, customerId: string, input: { email: string; password: string }) {
  requirePlatform(scope);
  const user = await createUser(ctx, { ...input, customerId });
  await recordAudit(ctx, ctx.db, scope, { customerId, action: 'user.created', target: { kind: 'user', id: user.id }, after: { email: user.email } });
  return user;
}

export async function createUser(ctx: Ctx, input: { email: string; password: string; customerId: string }) {
  if (input.password.length < 8) throw new DomainError('bad_request', 'password must be at least 8 characters', { field: 'password' });
  if (isPlatformCustomer(input.customerId)) throw new DomainError('not_found', 'customer not found', { field: 'customerId' });
  const [customer] = await ctx.db.select({ id: customers.id }).from(customers).where(eq(customers.id, input.customerId));
  if (!customer) throw new DomainError('not_found', 'customer not found', { field: 'customerId' });
  const passwordHash = await bcrypt.hash(input.password, 10);
  const rows = await ctx.db
    .insert(users)
    .values({ id: newId('user'), customerId: input.customerId, email: input.email.toLowerCase(), passwordHash, createdAt: ctx.now() })
    .onConflictDoNothing()
    .returning({ id: users.id, email: users.email, customerId: users.customerId });
  if (!rows[0]) throw new DomainError('conflict', `a user with email ${input.email} already exists`, { field: 'email' });
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
  return user && ok ? { id: user.id, email: user.email, customerId: user.customerId, sessionVersion: user.sessionVersion } : null;
}

/**
 * A short-lived (15 min by default), single-use sign-in link to a customer's dashboard. An embed
 * link (`embed`) signs in to the embedded view only, which only PORTAL_FRAME_ANCESTORS may frame:
 * with none configured it is refused, as a link no page could show.
 */
export async function createPortalLink(
  ctx: Ctx,
  scope: Scope,
  customerId: string,
  input: { readOnly?: boolean | undefined; ttlSeconds?: number | undefined; embed?: boolean | undefined; theme?: PortalTheme | undefined },
  baseUrl: string,
) {
  requirePlatform(scope);
  const embed = input.embed ?? false;
  if (embed && ctx.config.portalFrameAncestors.length === 0) {
    throw new DomainError('bad_request', 'embedding is off: no origin may frame the portal (set PORTAL_FRAME_ANCESTORS)', { field: 'embed' });
  }
  if (input.theme !== undefined && !embed) throw new DomainError('bad_request', 'a theme applies to embed links only (embed: true)', { field: 'theme' });
  await getCustomer(ctx, scope, customerId);
  const token = randomToken(32);
  const ttl = input.ttlSeconds ?? 900;
  const expiresAt = new Date(ctx.now().getTime() + ttl * 1000);
  const id = newId('portalToken');
  const readOnly = input.readOnly ?? false;
  const theme = input.theme ?? null;
  await ctx.db.transaction(async (tx) => {
    await tx.insert(portalTokens).values({ id, customerId, tokenHash: hashToken(token), readOnly, embed, theme, expiresAt, createdAt: ctx.now() });
    await recordAudit(ctx, tx, scope, {
      customerId,
      action: 'portal_link.created',
      target: { kind: 'portal_link', id },
      after: { readOnly, expiresAt: expiresAt.toISOString(), ...(embed ? { embed, theme } : {}) },
    });
  });
  return {
    url: `${baseUrl.replace(/\/$/, '')}/portal${embed ? '/embed' : ''}?token=${encodeURIComponent(token)}`,
    expiresAt: expiresAt.toISOString(),
    readOnly,
    embed,
  };
}

/**
 * Consumes a portal token: valid, unexpired, unused and of the kind asked for (an embed link signs
 * in to the embedded view only, a plain one never to it), else null. Single use is enforced by the update.
 */
export async function consumePortalToken(ctx: Ctx, token: string, kind: { embed: boolean } = { embed: false }) {
  const now = ctx.now();
  const [row] = await ctx.db
    .update(portalTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(portalTokens.tokenHash, hashToken(token)),
        eq(portalTokens.embed, kind.embed),
        isNull(portalTokens.usedAt),
        sql`${portalTokens.expiresAt} > ${now.toISOString()}::timestamptz`,
      ),
    )
    .returning({ customerId: portalTokens.customerId, readOnly: portalTokens.readOnly, theme: portalTokens.theme });
  return row ?? null;
}
