import { auth } from '../auth';
import { customerScope } from '../domain/context';
import { getWebRuntime, publicBaseUrl } from '../web';
import { clientAddress } from '../auth/throttle';
import { bearerContext } from './bearer';
import { defaultRateLimiter } from './rate-limit';
import type { ApiContext } from './trpc';

/** tRPC context: a Bearer API key when present, else the dashboard session's customer scope. */
export async function contextForRequest(req: Request): Promise<ApiContext> {
  const { ctx } = await getWebRuntime();
  const base = { baseUrl: publicBaseUrl(req), rateLimiter: defaultRateLimiter() };
  if (req.headers.has('authorization')) return bearerContext(ctx, req, base);
  const session = await auth();
  if (session?.user.customerId) {
    const principalId = `user:${session.user.id}`;
    const scope = { ...customerScope(session.user.customerId, session.user.readOnly), actor: { id: principalId, ip: clientAddress(req.headers) } };
    return { ctx, ...base, scope, principalId };
  }
  return { ctx, ...base, scope: null, principalId: null };
}
