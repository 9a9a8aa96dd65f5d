import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { DomainError } from '../domain/errors';
import { parseBody, parseJsonText, readAtMost } from './body';
import { newRequestId, withRequestId } from './request-id';
import { countApiError, fieldErrorsOf, toDomainError, toTrpcError } from './errors';
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
  const requestId = newRequestId();
  const res = await withRequestId(requestId, () => withIncomingTrace(req.headers, () => serveBounded(req, createContext, opts, requestId)));
  return apiResponseHeaders(res, opts.publicUrl);
}

/**
 * The request with its body already parsed: tRPC reads `json()`, and gets the value with numbers
 * kept exact (server/domain/json.ts) instead of a JSON.parse that rounds them.
 */
class ParsedRequest extends Request {
  constructor(
    req: Request,
    private readonly parsed: unknown,
  ) {
    super(req.url, { method: req.method, headers: req.headers, signal: req.signal });
  }
  override json(): Promise<unknown> {
    return Promise.resolve(this.parsed);
  }
}

async function serveBounded(req: Request, createContext: () => Promise<ApiContext>, opts: { maxBodyBytes: number }, requestId: string): Promise<Response> {
  const limit = opts.maxBodyBytes;
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > limit) return payloadTooLarge(req, String(declared), limit);
  // The declared length is only a hint (a chunked body declares none): count what actually arrives,
  // and hand tRPC the body only once it is known to fit, parsed here: JSON nested deeper than
  // MAX_JSON_DEPTH is a 400 before anything walks it, and numbers keep their exact text.
  let bounded = req;
  try {
    // In a batch, the first step of a place is the call's index, not a field.
    const url = new URL(req.url);
    const batchSteps = url.searchParams.get('batch') === '1' ? 1 : 0;
    if (req.body) {
      const body = await readAtMost(req.body, limit);
      if (body === null) return payloadTooLarge(req, `more than ${limit}`, limit);
      bounded = new ParsedRequest(req, parseBody(body, batchSteps));
    }
    const queryInput = url.searchParams.get('input');
    if (queryInput !== null) parseJsonText(queryInput, 'input', 'input', batchSteps);
  } catch (err) {
    if (err instanceof DomainError) return envelope(req, err, 400, 'BAD_REQUEST');
    throw err;
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
    onError({ error, path, ctx }) {
      const e = toDomainError(error);
      countApiError(e);
      if (e.code !== 'internal') return;
      const err = error.cause ?? error;
      if (ctx) ctx.ctx.log.error({ err, requestId, path }, 'internal error in a tRPC call');
      else console.error(`[trpc] internal error in ${path ?? '?'} (${requestId})`, err);
    },
  });
}

function payloadTooLarge(req: Request, size: string, limit: number): Response {
  return envelope(req, new DomainError('payload_too_large', `request body is ${size} bytes, above the limit of ${limit}`), 413, 'PAYLOAD_TOO_LARGE');
}

/** An error answered before tRPC runs, in tRPC's own envelope (one per call of a batch), so tRPC clients read it like any other. */
function envelope(req: Request, e: DomainError, httpStatus: number, code: 'PAYLOAD_TOO_LARGE' | 'BAD_REQUEST'): Response {
  countApiError(e);
  const data = { code, httpStatus, errorCode: e.code, field: e.field ?? null, errors: fieldErrorsOf(e), retryAfterSeconds: null };
  const one = { error: { message: e.message, code: TRPC_ERROR_CODES_BY_KEY[code], data } };
  const url = new URL(req.url);
  const calls = url.pathname.slice(url.pathname.indexOf(TRPC_ENDPOINT) + TRPC_ENDPOINT.length + 1).split(',').length;
  const body = url.searchParams.get('batch') === '1' ? Array.from({ length: calls }, () => one) : one;
  return new Response(JSON.stringify(body), { status: httpStatus, headers: { 'content-type': 'application/json' } });
}
