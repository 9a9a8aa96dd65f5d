import { auth } from '../auth';
import { customerScope } from '../domain/context';
import { authenticateApiKey } from '../domain/customers';
import { TRPCError } from '@trpc/server';
import { getWebRuntime, publicBaseUrl } from '../web';
import type { ApiContext } from './trpc';

/** tRPC context: a Bearer API key when present, else the dashboard session's customer scope. */
export async function contextForRequest(req: Request): Promise<ApiContext> {
  const { ctx } = await getWebRuntime();
  const baseUrl = publicBaseUrl(req);
  const header = req.headers.get('authorization');
  if (header) {
    const key = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const principal = key ? await authenticateApiKey(ctx, key) : null;
    if (!principal) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'invalid or revoked API key' });
    return { ctx, scope: principal.scope, principalId: principal.keyId, baseUrl };
  }
  const session = await auth();
  if (session?.user.customerId) {
    return { ctx, scope: customerScope(session.user.customerId, session.user.readOnly), principalId: `user:${session.user.id}`, baseUrl };
  }
  return { ctx, scope: null, principalId: null, baseUrl };
}
