import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { DomainError } from '../domain/errors';
import { readAtMost } from './body';
import { countApiError, toDomainError, toTrpcError } from './errors';
import { appRouter } from './root';
import type { ApiContext } from './trpc';
import { withIncomingTrace } from '../tracing';
import { apiResponseHeaders } from '../csp';

export const TRPC_ENDPOINT = '/api/trpc';

/**
 * The tRPC door over the fetch API, shared by the Next route and the tests. `createContext` decides
 * who is calling (a Bearer key, or also the dashboard session); whatever it throws keeps its status
 * (401, not 500). A 429 carries Retry-After, as on REST. Bodies above the payload limit are refused
 * with 413 before tRPC reads them: from their declared length, or as they stream in. A `traceparent`
 * header is the parent of the spans the call starts (a publish: server/tracing.ts).
 */
export async function serveTrpc(
  req: Request,
  createContext: () => Promise<ApiContext>,
  opts: { maxBodyBytes: number; publicUrl?: string | undefined },
): Promise<Response> {
  return apiResponseHeaders(await withIncomingTrace(req.headers, () => serveBounded(req, createContext, opts)), opts.publicUrl);
}

async function serveBounded(req: Request, createContext: () => Promise<ApiContext>, opts: { maxBodyBytes: number }): Promise<Response> {
  const limit = opts.maxBodyBytes;
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > limit) return payloadTooLarge(req, String(declared), limit);
  // The declared length is only a hint (a chunked body declares none): count what actually arrives,
  // and hand tRPC the body only once it is known to fit.
  let bounded = req;
  if (req.body) {
    const body = await readAtMost(req.body, limit);
    if (body === null) return payloadTooLarge(req, `more than ${limit}`, limit);
    bounded = new Request(req.url, { method: req.method, headers: req.headers, body: new Uint8Array(body), signal: req.signal });
  }
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: bounded,
    router: appRouter,
    createContext: async () => {
      try {
        return await createContext();
      } catch (err) {
        throw toTrpcError(toDomainError(err));
      }
    },
    responseMeta({ errors }) {
      const retryAfter = errors.map((e) => toDomainError(e).retryAfterSeconds).find((s) => s !== undefined);
      return retryAfter ? { headers: new Headers({ 'retry-after': String(retryAfter) }) } : {};
    },
    onError({ error, path }) {
      countApiError(toDomainError(error));
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`[trpc] internal error in ${path ?? '?'}`, error.cause ?? error);
    },
  });
}

/** The 413 in tRPC's own error envelope (one per call of a batch), so tRPC clients read it like any other error. */
function payloadTooLarge(req: Request, size: string, limit: number): Response {
  const e = new DomainError('payload_too_large', `request body is ${size} bytes, above the limit of ${limit}`);
  countApiError(e);
  const data = { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413, errorCode: e.code, field: null, retryAfterSeconds: null };
  const one = { error: { message: e.message, code: TRPC_ERROR_CODES_BY_KEY.PAYLOAD_TOO_LARGE, data } };
  const url = new URL(req.url);
  const calls = url.pathname.slice(url.pathname.indexOf(TRPC_ENDPOINT) + TRPC_ENDPOINT.length + 1).split(',').length;
  const body = url.searchParams.get('batch') === '1' ? Array.from({ length: calls }, () => one) : one;
  return new Response(JSON.stringify(body), { status: 413, headers: { 'content-type': 'application/json' } });
}
