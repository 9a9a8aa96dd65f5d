/**
 * The one error type of the domain. Codes are a closed set; server/api maps each once to a tRPC code
 * and an HTTP status (the maps are `Record<ErrorCode, …>`, so the compiler checks they are complete).
 */
export const errorCodes = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'payload_too_large',
  'rate_limited',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, opts: { field?: string; retryAfterSeconds?: number } = {}) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.field = opts.field;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const badRequest = (field: string, message: string) => new DomainError('bad_request', message, { field });
