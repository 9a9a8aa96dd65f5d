import { handleRest } from '@/server/api/rest';
import { getWebRuntime, publicBaseUrl } from '@/server/web';

/** REST door: /api/v1/* → the tRPC procedure with that route (server/api/rest.ts). */
export const dynamic = 'force-dynamic';

async function handle(req: Request, { params }: { params: Promise<{ path: string[] }> }) {
  const { path } = await params;
  const { ctx } = await getWebRuntime();
  return handleRest(req, `/${path.join('/')}`, ctx, publicBaseUrl(req));
}

export { handle as GET, handle as POST, handle as PATCH, handle as DELETE, handle as PUT };
