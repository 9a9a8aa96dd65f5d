import { contextForRequest } from '@/server/api/context';
import { serveTrpc } from '@/server/api/trpc-handler';

/** tRPC door: the dashboard (session cookie) and TypeScript integrators (Bearer key). */
export const dynamic = 'force-dynamic';

function handler(req: Request) {
  return serveTrpc(req, () => contextForRequest(req));
}

export { handler as GET, handler as POST };
