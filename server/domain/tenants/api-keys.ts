import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { apiKeys } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { notFound } from '../errors';
import { hashToken } from '../crypto';
import { newId } from '../ids';
import type { Queryable } from '../../db/client';
import { reserveForCustomer } from './limits';
import { assertWritable, listingCustomer } from '../scope';
import { keysetPage } from '../paging';
import { recordAudit } from '../audit/log';
import { KEY_SCOPES, type KeyScope } from '../context';
import { scopesForNewKey } from './key-scopes';
import { isPlatformCustomer } from '../platform-customer';
import { getCustomer } from './customers';

/**
 * API keys: `hr_live_<40 base62-ish chars>`; platform keys `hr_plat_...`. Stored as SHA-256 hashes,
 * shown once; the first 12 characters are kept as `prefix` so a leaked key is recognisable.
 */
const PLATFORM_PREFIX = 'hr_plat_';
const CUSTOMER_PREFIX = 'hr_live_';

function randomToken(bytes = 30): string {
  return randomBytes(bytes).toString('base64url');
}

export type Principal = { keyId: string; scope: Scope };

/**
 * Creates an API key for a customer (or a platform key when customerId is null). The key is shown
 * once. The operator's own calls (CLI, seeds) give every scope unless told otherwise; the API passes
 * the scopes it resolved (key-scopes.ts: least privilege by default). Platform keys hold every scope.
 */
export async function createApiKey(
  ctx: Ctx,
  customerId: string | null,
  name?: string,
  q: Queryable = ctx.db,
  scopes: readonly KeyScope[] = KEY_SCOPES,
) {
  // The platform customer's subscriptions are the operational webhooks: only a platform key reaches them.
  if (isPlatformCustomer(customerId)) throw notFound('customer');
  const key = (customerId ? CUSTOMER_PREFIX : PLATFORM_PREFIX) + randomToken();
  const id = newId('apiKey');
  const granted = customerId ? [...scopes] : [...KEY_SCOPES];
  await q.insert(apiKeys).values({
    id,
    customerId,
    name: name ?? null,
    prefix: key.slice(0, 12),
    keyHash: hashToken(key),
    scopes: granted,
    createdAt: ctx.now(),
  });
  return { id, key, prefix: key.slice(0, 12), customerId, name: name ?? null, scopes: granted };
}

/** A customer's own request may not go past its cap on active keys (limits.ts); the platform's may. */
export async function createCustomerApiKey(
  ctx: Ctx,
  scope: Scope,
  customerId: string,
  name?: string,
  scopes?: readonly KeyScope[],
) {
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
export async function listApiKeys(
  ctx: Ctx,
  scope: Scope,
  input: { customerId?: string | undefined; limit: number; cursor?: string | undefined },
) {
  const customerId = listingCustomer(scope, input.customerId);
  if (customerId) await getCustomer(ctx, scope, customerId);
  const p = await keysetPage(
    ctx.db.select().from(apiKeys).$dynamic(),
    apiKeys.id,
    customerId ? eq(apiKeys.customerId, customerId) : undefined,
    input,
  );
  return { data: p.data.map(apiKeyView), nextCursor: p.nextCursor };
}

/**
 * Revokes a key: it stops authenticating at once (every request looks the key up). Revoking a revoked
 * key again succeeds and keeps the first revocation time. A customer can revoke only its own keys.
 */
export async function revokeApiKey(ctx: Ctx, scope: Scope, keyId: string) {
  assertWritable(scope);
  const where = and(
    eq(apiKeys.id, keyId),
    scope.kind === 'customer' ? eq(apiKeys.customerId, scope.customerId) : undefined,
  );
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
    .select({
      id: apiKeys.id,
      customerId: apiKeys.customerId,
      scopes: apiKeys.scopes,
      revokedAt: apiKeys.revokedAt,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, hash));
  if (!row || row.revokedAt) return null;
  const now = ctx.now();
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await ctx.db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id));
  }
  const keyScopes = KEY_SCOPES.filter((s) => row.scopes.includes(s));
  return {
    keyId: row.id,
    scope: row.customerId ? { kind: 'customer', customerId: row.customerId, keyScopes } : { kind: 'platform' },
  };
}
