import { eq, sql } from 'drizzle-orm';
import bcrypt from 'bcryptjs';
import { users } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { DomainError } from '../errors';
import { recordAudit } from '../audit/log';
import { requirePlatform } from './customers';

/**
 * Revocable dashboard sessions. Sessions are JWTs (Auth.js), valid by signature alone; each carries
 * the user's `session_version` from sign-in, and every authenticated request compares it with the
 * user's current one (server/auth). Signing out or changing the password bumps the version, which
 * ends every session of that user: at once in the process that bumped it, and within
 * SESSION_CHECK_CACHE_MS in every other (each remembers a user's version that long, so a request
 * costs no lookup most of the time).
 */
const SESSION_CHECK_CACHE_MS = 5_000;

type VersionCache = WeakMap<Ctx, Map<string, { version: number | null; until: number }>>;
// On globalThis: Next.js bundles this module separately for route handlers and for server actions,
// and a sign-out (a server action) must clear what the API's route handler remembers.
const holder = globalThis as unknown as { __hookrelaySessionVersions?: VersionCache };
const caches: VersionCache = (holder.__hookrelaySessionVersions ??= new WeakMap());
const CACHE_MAX = 10_000;

function cacheOf(ctx: Ctx) {
  let cache = caches.get(ctx);
  if (!cache) caches.set(ctx, (cache = new Map<string, { version: number | null; until: number }>()));
  return cache;
}

/** The user's current session version; null when there is no such user (its sessions end too). */
export async function sessionVersionOf(ctx: Ctx, userId: string): Promise<number | null> {
  const cache = cacheOf(ctx);
  const hit = cache.get(userId);
  if (hit && hit.until > Date.now()) return hit.version;
  const [row] = await ctx.db.select({ v: users.sessionVersion }).from(users).where(eq(users.id, userId));
  const version = row?.v ?? null;
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(userId, { version, until: Date.now() + SESSION_CHECK_CACHE_MS });
  return version;
}

/** Ends every session of the user (sign-out): the version its sessions carry is no longer current. */
export async function endSessions(ctx: Ctx, userId: string): Promise<void> {
  await ctx.db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId));
  cacheOf(ctx).delete(userId);
}

/**
 * Sets a dashboard user's password (the operator's `pnpm cli user password`) and ends every session
 * the user has, in one statement; recorded in the audit log (without the password).
 */
export async function changePassword(ctx: Ctx, scope: Scope, input: { email: string; password: string }) {
  requirePlatform(scope);
  if (input.password.length < 8)
    throw new DomainError('bad_request', 'password must be at least 8 characters', { field: 'password' });
  const passwordHash = await bcrypt.hash(input.password, 10);
  const user = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` })
      .where(sql`lower(${users.email}) = ${input.email.toLowerCase()}`)
      .returning({ id: users.id, email: users.email, customerId: users.customerId });
    if (!row) throw new DomainError('not_found', `no user with email ${input.email}`, { field: 'email' });
    await recordAudit(ctx, tx, scope, {
      customerId: row.customerId,
      action: 'user.password_changed',
      target: { kind: 'user', id: row.id },
    });
    return row;
  });
  cacheOf(ctx).delete(user.id);
  return user;
}
