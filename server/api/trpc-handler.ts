import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { DomainError } from '../domain/errors';
import { parseBody, parseJsonText, readAtMost } from './body';
import { newRequestId, withRequestId } from './request-id';
import { countApiError, fieldErrorsOf, httpStatusOf, toDomainError, trpcCodeOf } from './errors';
import { appRouter } from './root';
import type { ApiContext } from './trpc';
import { withIncomingTrace } from '../tracing-context';
import { apiResponseHeaders } from '../csp';

export const TRPC_ENDPOINT = '/api/trpc';

/**
 * Calls one tRPC batch may hold. A batch is answered whole, so without a bound one request could
 * make this process hold the results of any number of calls at once (docs/api.md).
 */
export const MAX_TRPC_BATCH = 20;

/**
 * The tRPC door over the fetch API, shared by the Next route and the tests. In order, before tRPC
 * runs any call: a batch of more than MAX_TRPC_BATCH calls is a 400; `createContext` decides who is
 * calling (a Bearer key, or also the dashboard session; whatever it throws keeps its status, 401 not
 * 500); a body from a caller without credentials is a 401, not read; a body above the limit is a 413,
 * from its declared length or as it streams in. A 429 carries Retry-After, as on REST. A
 * `traceparent` header is the parent of the spans the call starts (a publish: server/tracing.ts).
 */
export async function serveTrpc(
  req: Request,
  createContext: () => Promise<ApiContext>,
  opts: { maxBodyBytes: number; publicUrl?: string | undefined },
): Promise<Response> {
  const requestId = newRequestId();
  const res = await withRequestId(requestId, () =>
    withIncomingTrace(req.headers, () => serveBounded(req, createContext, opts, requestId)),
  );
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

async function serveBounded(
  req: Request,
  createContext: () => Promise<ApiContext>,
  opts: { maxBodyBytes: number },
  requestId: string,
): Promise<Response> {
  const calls = callsIn(req);
  if (calls > MAX_TRPC_BATCH) {
    return refusal(
      req,
      new DomainError(
        'bad_request',
        `a tRPC batch holds at most ${MAX_TRPC_BATCH} calls; this one has ${calls}: split it`,
      ),
    );
  }
  let context: ApiContext;
  try {
    context = await createContext();
  } catch (err) {
    const e = toDomainError(err);
    if (e.code === 'internal') console.error(`[trpc] internal error while authenticating (${requestId})`, err);
    return refusal(req, e);
  }
  // Every procedure needs credentials: a call without them is refused before its input is read.
  if (!context.scope) {
    return refusal(
      req,
      new DomainError('unauthorized', 'missing or invalid credentials: send Authorization: Bearer <API key>'),
    );
  }
  const limit = opts.maxBodyBytes;
  const tooLarge = (size: string) =>
    refusal(req, new DomainError('payload_too_large', `request body is ${size} bytes, above the limit of ${limit}`));
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > limit) return tooLarge(String(declared));
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
      if (body === null) return tooLarge(`more than ${limit}`);
      bounded = new ParsedRequest(req, parseBody(body, batchSteps));
    }
    const queryInput = url.searchParams.get('input');
    if (queryInput !== null) parseJsonText(queryInput, 'input', 'input', batchSteps);
  } catch (err) {
    if (err instanceof DomainError) return refusal(req, err);
    throw err;
  }
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: bounded,
    router: appRouter,
    maxBatchSize: MAX_TRPC_BATCH,
    createContext: () => context,
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

/** How many calls the request carries: the comma-separated procedures of a batch (`?batch=1`), else one. */
function callsIn(req: Request): number {
  const url = new URL(req.url);
  if (url.searchParams.get('batch') !== '1') return 1;
  return url.pathname.slice(url.pathname.indexOf(TRPC_ENDPOINT) + TRPC_ENDPOINT.length + 1).split(',').length;
}

/**
 * A refusal before tRPC runs, in tRPC's own error envelope (one per call of a batch), so tRPC
 * clients read it like any other error.
 */
function refusal(req: Request, e: DomainError): Response {
  countApiError(e);
  const status = httpStatusOf[e.code];
  const code = trpcCodeOf[e.code];
  const data = {
    code,
    httpStatus: status,
    errorCode: e.code,
    field: e.field ?? null,
    errors: fieldErrorsOf(e),
    retryAfterSeconds: e.retryAfterSeconds ?? null,
  };
  const one = { error: { message: e.message, code: TRPC_ERROR_CODES_BY_KEY[code], data } };
  const isBatch = new URL(req.url).searchParams.get('batch') === '1';
  const body = isBatch ? Array.from({ length: callsIn(req) }, () => one) : one;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(e.retryAfterSeconds && { 'retry-after': String(e.retryAfterSeconds) }),
  };
  return new Response(JSON.stringify(body), { status, headers });
}
