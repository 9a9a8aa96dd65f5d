import type { Ctx } from '../domain/context';
import { DomainError, invalidInput, type FieldIssue } from '../domain/errors';
import { bearerPrincipal } from './bearer';
import { parseBody, readAtMost } from './body';
import { newRequestId, withRequestId } from './request-id';
import { countApiError, errorBody, httpStatusOf, issuesOfZod, toDomainError } from './errors';
import { openApiDocument } from './openapi';
import { defaultRateLimiter, type RateLimiter } from './rate-limit';
import { createCaller } from './root';
import { apiContext } from './trpc';
import { restRoutes } from './routes';
import { withIncomingTrace } from '../tracing-context';
import { apiResponseHeaders } from '../csp';

export { restRoutes, type RestRoute } from './routes';

/**
 * REST under /api/v1: the tRPC procedures that carry `rest` meta, served with path parameters,
 * query strings (GET/DELETE) and JSON bodies (POST/PATCH) merged into the procedure's one input,
 * plus `GET /openapi.json` (public). Errors are `{error: {code, message, field?}}` with the mapped
 * status (a 400 adds `errors: [{field, reason}]`, every problem of the input); 405 carries Allow,
 * 429 carries Retry-After. A field the procedure does not take is a 400, wherever it was sent.
 */
function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function errorResponse(e: DomainError, headers: Record<string, string> = {}): Response {
  countApiError(e);
  return json(httpStatusOf[e.code], errorBody(e), {
    ...headers,
    ...(e.retryAfterSeconds && { 'retry-after': String(e.retryAfterSeconds) }),
  });
}

/** Reads at most `limit` bytes: a body above it is refused before it is buffered whole, declared length or not. */
async function readBody(req: Request, limit: number): Promise<unknown> {
  const tooLarge = (size: string) =>
    new DomainError('payload_too_large', `request body is ${size} bytes, above the limit of ${limit}`);
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > limit) throw tooLarge(String(declared));
  const bytes = await readAtMost(req.body, limit);
  if (bytes === null) throw tooLarge(`more than ${limit}`);
  return parseBody(bytes);
}

export type RestOptions = { rateLimiter?: RateLimiter };

/** A request's `traceparent` header is the parent of the spans it starts (a publish: server/tracing.ts). */
export async function handleRest(
  req: Request,
  path: string,
  ctx: Ctx,
  baseUrl: string,
  opts: RestOptions = {},
): Promise<Response> {
  const requestId = newRequestId();
  const res = await withRequestId(requestId, () =>
    withIncomingTrace(req.headers, () => answerRest(req, path, ctx, baseUrl, opts, requestId)),
  );
  return apiResponseHeaders(res, ctx.config.publicUrl);
}

async function answerRest(
  req: Request,
  path: string,
  ctx: Ctx,
  baseUrl: string,
  opts: RestOptions,
  requestId: string,
): Promise<Response> {
  try {
    const method = req.method.toUpperCase();
    if (path === '/openapi.json') {
      if (method !== 'GET')
        return errorResponse(new DomainError('method_not_allowed', `method ${method} not allowed on /api/v1${path}`), {
          allow: 'GET',
        });
      // It takes no parameters: one given is bad input, as everywhere else, not ignored.
      const [unknown] = new URL(req.url).searchParams.keys();
      if (unknown !== undefined) throw new DomainError('bad_request', 'unknown field', { field: unknown });
      return json(200, openApiDocument(baseUrl));
    }
    const candidates = restRoutes.filter((r) => r.pattern.test(path));
    if (candidates.length === 0) throw new DomainError('not_found', `no route ${method} /api/v1${path}`);
    const route = candidates.find((r) => r.meta.method === method);
    if (!route) {
      const allow = candidates.map((c) => c.meta.method).join(', ');
      return errorResponse(
        new DomainError('method_not_allowed', `method ${method} not allowed on /api/v1${path} (allowed: ${allow})`),
        { allow },
      );
    }

    const principal = await bearerPrincipal(ctx, req);
    // Every route needs a key: without one the answer is a 401, and the body is not read.
    if (!principal)
      throw new DomainError('unauthorized', 'missing or invalid credentials: send Authorization: Bearer <API key>');
    const match = route.pattern.exec(path)!;
    // Null prototype: a `__proto__` key in the body stays a key (an unknown field), not a prototype
    // whose properties the schema would read as fields.
    const input: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    // What the schema cannot see as unknown, since merging would hide it: a query string on a
    // POST/PATCH, a query parameter given twice, a path parameter repeated in the query or body.
    const misplaced: FieldIssue[] = [];
    const query = new URL(req.url).searchParams;
    if (method === 'GET' || method === 'DELETE') {
      for (const [k, v] of query) {
        if (k in input && !misplaced.some((m) => m.field === k))
          misplaced.push({ field: k, reason: 'given more than once' });
        input[k] = v;
      }
    } else {
      for (const k of new Set(query.keys()))
        misplaced.push({
          field: k,
          reason: `unknown field: ${method} takes its input in the JSON body, not the query string`,
        });
      const body = await readBody(req, route.meta.batchBody ? ctx.config.maxBatchBytes : ctx.config.maxPayloadBytes);
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new DomainError('bad_request', 'request body must be a JSON object', { field: 'body' });
      for (const [k, v] of Object.entries(body)) input[k] = v;
      for (const h of route.meta.headerFields ?? []) {
        const value = req.headers.get(h.header);
        if (value === null) continue;
        if (h.refused) misplaced.push({ field: h.field, reason: h.refused });
        else if (h.field in input && input[h.field] !== value)
          misplaced.push({
            field: h.field,
            reason: `the ${h.header} header and the body's ${h.field} differ: give one of them, or the same value in both`,
          });
        else input[h.field] = value;
      }
    }
    route.params.forEach((name, i) => {
      if (name in input) misplaced.push({ field: name, reason: `unknown field: ${name} is given in the path` });
      try {
        input[name] = decodeURIComponent(match[i + 1]!);
      } catch {
        throw new DomainError('bad_request', `${name}: malformed percent-encoding in the path`, { field: name });
      }
    });
    // One answer lists every problem: the schema's own findings come too.
    if (misplaced.length) {
      const parsed = route.input?.safeParse(input);
      throw invalidInput([...misplaced, ...(parsed && !parsed.success ? issuesOfZod(parsed.error) : [])]);
    }

    const caller = createCaller(
      apiContext(ctx, principal, { baseUrl, rateLimiter: opts.rateLimiter ?? defaultRateLimiter() }),
    );
    const [group, proc] = route.procedure.split('.') as [string, string];
    const fn = (caller as unknown as Record<string, Record<string, (i: unknown) => Promise<unknown>>>)[group]![proc]!;
    const result = await fn(input);
    return json(route.meta.status ?? 200, result);
  } catch (err) {
    const e = toDomainError(err);
    // The client gets only the code and the request id; what went wrong (SQL, values) stays in the log.
    if (e.code === 'internal')
      ctx.log.error({ err, requestId, method: req.method, path }, 'internal error in an API request');
    return errorResponse(e);
  }
}
