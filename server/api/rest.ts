import { z } from 'zod';
import type { Ctx } from '../domain/context';
import { authenticateApiKey } from '../domain/customers';
import { DomainError } from '../domain/errors';
import { env } from '../env';
import { countApiError, errorBody, toDomainError, httpStatusOf } from './errors';
import { appRouter, createCaller } from './root';
import type { ApiContext, RestMeta } from './trpc';

/**
 * REST under /api/v1: the tRPC procedures that carry `rest` meta, served with path parameters,
 * query strings (GET/DELETE) and JSON bodies (POST/PATCH) merged into the procedure's one input.
 * Errors are `{error: {code, message, field?}}` with the mapped status; 429 carries Retry-After.
 */
export type RestRoute = {
  procedure: string;
  meta: RestMeta;
  input: z.ZodType | undefined;
  pattern: RegExp;
  params: string[];
};

type ProcedureLike = { _def: { meta?: { rest?: RestMeta }; inputs: z.ZodType[] } };

export const restRoutes: RestRoute[] = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureLike>)
  .filter(([, p]) => p._def.meta?.rest)
  .map(([name, p]) => {
    const meta = p._def.meta!.rest!;
    const params = [...meta.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const pattern = new RegExp(`^${meta.path.replace(/\{\w+\}/g, '([^/]+)')}$`);
    return { procedure: name, meta, input: p._def.inputs[0], pattern, params };
  });

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

export function errorResponse(e: DomainError): Response {
  countApiError(e);
  return json(httpStatusOf[e.code], errorBody(e), e.retryAfterSeconds ? { 'retry-after': String(e.retryAfterSeconds) } : {});
}

async function readBody(req: Request): Promise<unknown> {
  const limit = env().MAX_PAYLOAD_BYTES;
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > limit) throw new DomainError('payload_too_large', `request body is ${declared} bytes, above the limit of ${limit}`);
  const text = await req.text();
  if (Buffer.byteLength(text) > limit) throw new DomainError('payload_too_large', `request body is above the limit of ${limit} bytes`);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DomainError('bad_request', 'request body is not valid JSON', { field: 'body' });
  }
}

async function resolveScope(ctx: Ctx, req: Request): Promise<{ scope: ApiContext['scope']; principalId: string | null }> {
  const header = req.headers.get('authorization');
  if (!header) return { scope: null, principalId: null };
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m?.[1]) throw new DomainError('unauthorized', 'Authorization header must be "Bearer <API key>"');
  const principal = await authenticateApiKey(ctx, m[1]);
  if (!principal) throw new DomainError('unauthorized', 'invalid or revoked API key');
  return { scope: principal.scope, principalId: principal.keyId };
}

export async function handleRest(req: Request, path: string, ctx: Ctx, baseUrl: string): Promise<Response> {
  try {
    const method = req.method.toUpperCase();
    const candidates = restRoutes.filter((r) => r.pattern.test(path));
    if (candidates.length === 0) throw new DomainError('not_found', `no route ${method} /api/v1${path}`);
    const route = candidates.find((r) => r.meta.method === method);
    if (!route) {
      const e = new DomainError('bad_request', `method ${method} not allowed on /api/v1${path}`);
      countApiError(e);
      return json(405, errorBody(e), { allow: candidates.map((c) => c.meta.method).join(', ') });
    }

    const { scope, principalId } = await resolveScope(ctx, req);
    const match = route.pattern.exec(path)!;
    const input: Record<string, unknown> = {};
    if (method === 'GET' || method === 'DELETE') {
      for (const [k, v] of new URL(req.url).searchParams) input[k] = v;
    } else {
      const body = await readBody(req);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new DomainError('bad_request', 'request body must be a JSON object', { field: 'body' });
      Object.assign(input, body);
    }
    route.params.forEach((name, i) => (input[name] = decodeURIComponent(match[i + 1]!)));

    const caller = createCaller({ ctx, scope, principalId, baseUrl });
    const [group, proc] = route.procedure.split('.') as [string, string];
    const fn = (caller as unknown as Record<string, Record<string, (i: unknown) => Promise<unknown>>>)[group]![proc]!;
    const result = await fn(input);
    return json(route.meta.status ?? 200, result);
  } catch (err) {
    const e = toDomainError(err);
    if (e.code === 'internal') ctx.log.error({ err, method: req.method, path }, 'internal error in an API request');
    return errorResponse(e);
  }
}
