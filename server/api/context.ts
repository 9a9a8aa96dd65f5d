import { auth } from '../auth';
import { customerScope } from '../domain/context';
import { getWebRuntime, publicBaseUrl } from '../web';
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
    return { ctx, ...base, scope: customerScope(session.user.customerId, session.user.readOnly), principalId: `user:${session.user.id}` };
  }
  return { ctx, ...base, scope: null, principalId: null };
}
