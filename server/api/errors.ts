import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { ZodError } from 'zod';
import { PoolTimeoutError } from '../db/client';
import { DomainError, invalidInput, issuesOfZod, type ErrorCode, type FieldIssue } from '../domain/errors';

export { issuesOfZod };
import { metrics } from '../metrics';
import { currentRequestId } from './request-id';

/** The one mapping of domain error codes to tRPC codes and HTTP statuses (complete by type). */
export const trpcCodeOf: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  bad_request: 'BAD_REQUEST',
  unauthorized: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  method_not_allowed: 'METHOD_NOT_SUPPORTED',
  conflict: 'CONFLICT',
  payload_too_large: 'PAYLOAD_TOO_LARGE',
  rate_limited: 'TOO_MANY_REQUESTS',
  unavailable: 'SERVICE_UNAVAILABLE',
  internal: 'INTERNAL_SERVER_ERROR',
};

export const httpStatusOf: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

const codeOfTrpc = Object.fromEntries(Object.entries(trpcCodeOf).map(([k, v]) => [v, k])) as Partial<
  Record<TRPC_ERROR_CODE_KEY, ErrorCode>
>;

/**
 * `errors` lists every problem of a 400 (input that fails validation, unknown fields), one entry per
 * field. An unexpected failure (`internal`) carries only its code and the request id, which the log
 * line with the details carries too.
 */
export type ApiErrorBody =
  | { error: { code: ErrorCode; message: string; field?: string }; errors?: FieldIssue[] }
  | { error: { code: 'internal'; requestId: string | null } };

/** Seconds a client is asked to wait after a 503 `unavailable`. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

/** The PoolTimeoutError behind `err`, however wrapped (a Drizzle query error, a tRPC error). */
function poolTimeoutIn(err: unknown): PoolTimeoutError | null {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof PoolTimeoutError) return e;
  }
  return null;
}

/** Turns anything thrown by a procedure into the domain error it stands for. */
export function toDomainError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  const timeout = poolTimeoutIn(err);
  if (timeout) {
    return new DomainError(
      'unavailable',
      `the service is busy: no database connection came free within ${Math.round(timeout.waitedMs / 1000)} s; nothing was done, retry after ${UNAVAILABLE_RETRY_AFTER_SECONDS} s`,
      {
        retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
      },
    );
  }
  if (err instanceof TRPCError) {
    if (err.cause instanceof DomainError) return err.cause;
    // Only bad input is the caller's fault: an answer that fails its output schema is our bug (500).
    if (err.cause instanceof ZodError && err.code === 'BAD_REQUEST') return fromZod(err.cause);
    const code = codeOfTrpc[err.code] ?? 'internal';
    // An unexpected failure's message may hold SQL, values or paths: it goes to the log, never to the client.
    return code === 'internal' ? internalError() : new DomainError(code, err.message);
  }
  if (err instanceof ZodError) return fromZod(err);
  return internalError();
}

const internalError = () => new DomainError('internal', 'internal error');

/** Every zod issue, one entry per field: an object with unknown keys gives one `unknown field` per key. */
function fromZod(err: ZodError): DomainError {
  return invalidInput(issuesOfZod(err));
}

/** The problems a 400 lists: those found in the input, or the one the error names. Null for other errors. */
export function fieldErrorsOf(e: DomainError): FieldIssue[] | null {
  if (e.code !== 'bad_request') return null;
  return e.issues ?? [{ ...(e.field && { field: e.field }), reason: e.message }];
}

/** Counts an API error by code (REST and tRPC both call this once per failed request). */
export function countApiError(e: DomainError): void {
  metrics.apiErrors.inc({ code: e.code });
}

/** A domain error as the tRPC error that carries it (mapped code; the DomainError rides along as the cause). */
export function toTrpcError(e: DomainError): TRPCError {
  return new TRPCError({ code: trpcCodeOf[e.code], message: e.message, cause: e });
}

export function errorBody(e: DomainError): ApiErrorBody {
  if (e.code === 'internal') return { error: { code: 'internal', requestId: currentRequestId() } };
  const errors = fieldErrorsOf(e);
  return { error: { code: e.code, message: e.message, ...(e.field && { field: e.field }) }, ...(errors && { errors }) };
}
