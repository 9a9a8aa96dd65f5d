import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { ZodError } from 'zod';
import { DomainError, type ErrorCode } from '../domain/errors';
import { metrics } from '../metrics';

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
  internal: 500,
};

const codeOfTrpc = Object.fromEntries(Object.entries(trpcCodeOf).map(([k, v]) => [v, k])) as Partial<Record<TRPC_ERROR_CODE_KEY, ErrorCode>>;

export type ApiErrorBody = { error: { code: ErrorCode; message: string; field?: string } };

/** Turns anything thrown by a procedure into the domain error it stands for. */
export function toDomainError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof TRPCError) {
    if (err.cause instanceof DomainError) return err.cause;
    if (err.cause instanceof ZodError) return fromZod(err.cause);
    return new DomainError(codeOfTrpc[err.code] ?? 'internal', err.message);
  }
  if (err instanceof ZodError) return fromZod(err);
  return new DomainError('internal', 'internal error');
}

export function fromZod(err: ZodError): DomainError {
  const issue = err.issues[0];
  const field = issue?.path.join('.') || undefined;
  const message = issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'invalid input';
  return new DomainError('bad_request', message, field ? { field } : {});
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
  return { error: { code: e.code, message: e.message, ...(e.field && { field: e.field }) } };
}
