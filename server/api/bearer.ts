import type { Ctx } from '../domain/context';
import { authenticateApiKey } from '../domain/tenants/api-keys';
import { DomainError } from '../domain/errors';
import { clientAddress } from '../auth/throttle';
import type { RateLimiter } from './rate-limit';
import { apiContext, principalOf, type ApiContext, type Principal } from './trpc';

/**
 * API-key authentication, shared by the REST door, the tRPC door and tests. It imports no Auth.js:
 * the dashboard session is layered on top in context.ts, only for tRPC.
 * An Authorization header that is present but wrong is a 401, never a fall back to "anonymous".
 */
export async function bearerPrincipal(ctx: Ctx, req: Request): Promise<Principal | null> {
  const header = req.headers.get('authorization');
  if (header === null) return null;
  const key = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (!key) throw new DomainError('unauthorized', 'the Authorization header must be "Bearer <API key>"');
  const principal = await authenticateApiKey(ctx, key);
  if (!principal) throw new DomainError('unauthorized', 'invalid or revoked API key');
  return principalOf(principal.scope, principal.keyId, clientAddress(req.headers));
}

/** The API context of a request authenticated by its Bearer key alone (anonymous without a header). */
export async function bearerContext(
  ctx: Ctx,
  req: Request,
  opts: { baseUrl: string; rateLimiter: RateLimiter },
): Promise<ApiContext> {
  return apiContext(ctx, await bearerPrincipal(ctx, req), opts);
}
