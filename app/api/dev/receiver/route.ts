import { receiveDevWebhook } from '@/server/dev/receiver';
import { env } from '@/server/env';
import { getWebRuntime } from '@/server/web';

/**
 * The development receiver (server/dev/receiver.ts): on under `pnpm dev` (DEV_RECEIVER=true), absent
 * otherwise. Answers 200 to a request whose signature it verified and 401 to one it could not, as a
 * receiver should; both are listed at /dashboard/inbox.
 */
export const dynamic = 'force-dynamic';

const MAX_BYTES = 1024 * 1024;

export async function POST(req: Request) {
  if (!env().DEV_RECEIVER)
    return Response.json({ error: { code: 'not_found', message: 'Not found' } }, { status: 404 });
  if (Number(req.headers.get('content-length') ?? 0) > MAX_BYTES) {
    return Response.json(
      {
        error: { code: 'payload_too_large', message: `the development receiver keeps bodies up to ${MAX_BYTES} bytes` },
      },
      { status: 413 },
    );
  }
  const { ctx } = await getWebRuntime();
  const entry = await receiveDevWebhook(ctx, req.headers, await req.text());
  return Response.json(
    { received: entry.seq, verified: entry.verified, ...(entry.problem && { problem: entry.problem }) },
    { status: entry.verified ? 200 : 401, headers: { 'cache-control': 'no-store' } },
  );
}
