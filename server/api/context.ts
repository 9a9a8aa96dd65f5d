import { dashboardSession } from '../auth';
import { customerScope } from '../domain/context';
import { getWebRuntime, publicBaseUrl } from '../web';
import { clientAddress } from '../auth/throttle';
import { bearerContext } from './bearer';
import { defaultRateLimiter } from './rate-limit';
import { apiContext, principalOf, type ApiContext } from './trpc';

/**
 * tRPC context: a Bearer API key when present, else the dashboard session's customer scope. An
 * embed session's cookie is SameSite=None, so a browser would send it with another site's request
 * too: it counts only for requests from our own pages (the framed dashboard's are same-origin).
 */
export async function contextForRequest(req: Request): Promise<ApiContext> {
  const { ctx } = await getWebRuntime();
  const base = { baseUrl: publicBaseUrl(req), rateLimiter: defaultRateLimiter() };
  if (req.headers.has('authorization')) return bearerContext(ctx, req, base);
  const { session } = await dashboardSession();
  if (session && (!session.embed || fromOwnPage(req)))
    return apiContext(
      ctx,
      principalOf(
        customerScope(session.customerId, session.readOnly),
        `user:${session.id}`,
        clientAddress(req.headers),
      ),
      base,
    );
  return apiContext(ctx, null, base);
}

/** Sent by a page of this origin: Sec-Fetch-Site says so, or (older browsers) an Origin of this host or none. */
function fromOwnPage(req: Request): boolean {
  const site = req.headers.get('sec-fetch-site');
  if (site !== null) return site === 'same-origin';
  const origin = req.headers.get('origin');
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  return origin === null || (origin !== 'null' && new URL(origin).host === host);
}
