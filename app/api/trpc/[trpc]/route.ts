import { contextForRequest } from '@/server/api/context';
import { serveTrpc } from '@/server/api/trpc-handler';
import { getWebRuntime } from '@/server/web';

/** tRPC door: the dashboard (session cookie) and TypeScript integrators (Bearer key). */
export const dynamic = 'force-dynamic';

async function handler(req: Request) {
  const { ctx } = await getWebRuntime();
  return serveTrpc(req, () => contextForRequest(req), {
    maxBodyBytes: Math.max(ctx.config.maxPayloadBytes, ctx.config.maxBatchBytes),
    publicUrl: ctx.config.publicUrl,
  });
}

export { handler as GET, handler as POST };
