import { initTRPC } from '@trpc/server';
import type { Ctx, Scope } from '../domain/context';
import type { KeyScope } from '../domain/context';
import { requireKeyScope } from '../domain/tenants/key-scopes';
import { DomainError } from '../domain/errors';
import { fieldErrorsOf, toDomainError, toTrpcError } from './errors';
import type { RateLimiter } from './rate-limit';
import { currentRequestId } from './request-id';
import { withoutIncomingTrace } from '../tracing-context';

/**
 * tRPC is the API. Each procedure is also served as REST under /api/v1 when it carries `rest` meta
 * (server/api/rest.ts), and documented from the same zod input in /api/v1/openapi.json.
 */
export type RestMeta = {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** OpenAPI-style path under /api/v1, e.g. `/subscriptions/{id}`. */
  path: string;
  status?: number;
  summary: string;
  tag: string;
  /** Who may call it, for the docs: `platform` needs a platform key; `any` takes either key. */
  auth: 'platform' | 'any';
  /** The request body may be a batch: its limit is MAX_BATCH_BYTES instead of MAX_PAYLOAD_BYTES. */
  batchBody?: true;
  /**
   * Request headers that stand for a body field (`Idempotency-Key` for `idempotencyKey`): read into
   * it, a 400 when the body gives the field a different value. With `refused`, the header is a 400
   * with that reason (a route where it cannot mean one thing), never silently ignored.
   */
  headerFields?: { header: string; field: string; description: string; refused?: string }[];
};
type Meta = {
  rest?: RestMeta;
  /** Rate-limit tokens a call takes, from its raw input (default 1): a batch publish costs one per event. */
  cost?: (rawInput: unknown) => number;
  /**
   * The API-key scope a call needs (tenants/key-scopes.ts). Without it a query needs `read` and a
   * mutation `manage`, so a new procedure is covered without anyone remembering to say so.
   */
  keyScope?: KeyScope;
};

export type ApiContext = {
  ctx: Ctx;
  /** Null when the caller did not authenticate. */
  scope: Scope | null;
  /** Rate-limit bucket key: the API key id or the dashboard user. */
  principalId: string | null;
  /** Public base URL of this deployment (for portal links). */
  baseUrl: string;
  /** Per-principal request budget (the process's limiter in production; tests inject their own). */
  rateLimiter: RateLimiter;
};

/** Who calls: a scope carrying the actor (this principal, from this address) for the audit log, and the rate-limit bucket key. */
export type Principal = { scope: Scope; principalId: string };

export function principalOf(scope: Scope, principalId: string, ip: string | null): Principal {
  return { scope: { ...scope, actor: { id: principalId, ip } }, principalId };
}

/** The API context of one request, for every door (tRPC, REST, the dashboard session): anonymous without a principal. */
export function apiContext(
  ctx: Ctx,
  principal: Principal | null,
  opts: { baseUrl: string; rateLimiter: RateLimiter },
): ApiContext {
  return {
    ctx,
    scope: principal?.scope ?? null,
    principalId: principal?.principalId ?? null,
    baseUrl: opts.baseUrl,
    rateLimiter: opts.rateLimiter,
  };
}

const t = initTRPC
  .context<ApiContext>()
  .meta<Meta>()
  .create({
    // tRPC's own `data.code` (e.g. `NOT_FOUND`) stays; the domain code, the offending field (and, for
    // a 400, every problem of the input) and the retry delay ride along, as REST returns them.
    // An unexpected failure says only `internal error` and the request id (no SQL, no stack): the
    // details go to the log under that id (server/api/trpc-handler.ts).
    errorFormatter({ shape, error }) {
      const domain = toDomainError(error);
      const { stack: _stack, ...data } = shape.data;
      return {
        ...shape,
        message: domain.message,
        data: {
          ...data,
          ...(domain.code === 'internal' && { requestId: currentRequestId() }),
          errorCode: domain.code,
          field: domain.field ?? null,
          errors: fieldErrorsOf(domain),
          retryAfterSeconds: domain.retryAfterSeconds ?? null,
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain errors become tRPC errors with the mapped code (the DomainError rides along as the cause). */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    throw toTrpcError(result.error.cause);
  }
  return result;
});

const publicProcedure = t.procedure.use(domainErrors);

/**
 * Requires an API key or a dashboard session, and the key's scope for the call (403 naming it; before
 * any token is spent); applies the rate limits (server/api/rate-limit.ts): per key and per customer
 * for a customer's credentials, per platform key only when configured.
 */
export const authedProcedure = publicProcedure.use(async ({ ctx, next, meta, type, getRawInput }) => {
  const scope = ctx.scope;
  if (!scope)
    throw new DomainError('unauthorized', 'missing or invalid credentials: send Authorization: Bearer <API key>');
  requireKeyScope(scope, meta?.keyScope ?? (type === 'query' ? 'read' : 'manage'));
  if (ctx.principalId) {
    const cost = meta?.cost ? meta.cost(await getRawInput()) : 1;
    ctx.rateLimiter.check(
      {
        principalId: ctx.principalId,
        customerId: scope.kind === 'customer' ? scope.customerId : undefined,
        platform: scope.kind === 'platform',
      },
      undefined,
      cost,
    );
  }
  // A request's traceparent is adopted only from platform keys; anyone else's call starts a new trace.
  if (scope.kind !== 'platform') return withoutIncomingTrace(() => next({ ctx: { ...ctx, scope } }));
  return next({ ctx: { ...ctx, scope } });
});
