import { bearerContext } from '../../server/api/bearer';
import { handleRest } from '../../server/api/rest';
import { serveTrpc, TRPC_ENDPOINT } from '../../server/api/trpc-handler';
import { BASE_URL } from '../support/api';
import { readRest, readTrpc, type Answer } from './answers';
import type { Op } from './operations';
import type { Req } from './requests';
import type { FuzzRun } from './run-state';

/** Sends one request through its door; a request that hangs is a failure of its own, not a stuck run. */
export async function send(run: FuzzRun, op: Op, req: Req): Promise<Answer | null> {
  const { ctx, rateLimiter, stats, fail } = run;
  const url = `${BASE_URL}${op.door === 'rest' ? '/api/v1' : TRPC_ENDPOINT}${req.url}`;
  const canBody = req.method !== 'GET' && req.method !== 'HEAD';
  let request: Request;
  try {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) headers.set(k, v);
    if (canBody && req.body !== undefined) headers.set('content-length', String(Buffer.byteLength(req.body)));
    request = new Request(url, {
      method: req.method,
      headers,
      ...(canBody && req.body !== undefined && { body: req.body }),
    });
  } catch {
    // Not a request an HTTP client can send (e.g. a header a fetch client refuses): nothing to check.
    stats.unsendable++;
    return null;
  }
  const path = req.url.replace(/\?.*$/, '');
  const answer = (async () => {
    const res =
      op.door === 'rest'
        ? await handleRest(request, path, ctx, BASE_URL, { rateLimiter })
        : await serveTrpc(request, () => bearerContext(ctx, request, { baseUrl: BASE_URL, rateLimiter }), {
            maxBodyBytes: ctx.config.maxPayloadBytes,
          });
    return { status: res.status, text: await res.text() };
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), 30_000)));
  let got: { status: number; text: string } | null;
  try {
    got = await Promise.race([answer, timeout]);
  } catch (err) {
    // The door itself threw: the process would have answered nothing at all.
    got = {
      status: 599,
      text: `the door threw: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    };
  } finally {
    clearTimeout(timer);
  }
  stats.requests++;
  stats.opsCovered.add(op.name);
  if (!got) {
    fail({ check: 'no answer within 30 s', op: op.name, input: req.url.slice(0, 200), status: 0, excerpt: '' });
    return null;
  }
  stats.statuses.set(got.status, (stats.statuses.get(got.status) ?? 0) + 1);
  if (got.status >= 500) stats.fiveXx++;
  const calls =
    op.door === 'rest' || got.status === 599
      ? [readRest(got.status, got.text)]
      : readTrpc(got.status, got.text, req.calls);
  return { status: got.status, text: got.text, calls };
}
