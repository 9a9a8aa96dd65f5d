import type { ZodError } from 'zod';
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
  /** The service cannot take the request right now (its database connections are all taken); retry after Retry-After. */
  'unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/**
 * One problem with a request's input: the dotted path of the field (absent for the input as a whole)
 * and why; `pointer` is the JSON pointer (RFC 6901) within an event's `data` when a catalog schema refused it.
 */
export type FieldIssue = { field?: string; reason: string; pointer?: string };

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  /** Every problem found in the input, when there may be several (the first is `field` and `message`). */
  readonly issues: FieldIssue[] | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { field?: string; retryAfterSeconds?: number; issues?: FieldIssue[] } = {},
  ) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.field = opts.field;
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.issues = opts.issues;
  }
}

/** A 400 listing every problem found in an input; the first gives the error its field and message. */
export function invalidInput(issues: FieldIssue[]): DomainError {
  const first = issues[0];
  if (!first) return new DomainError('bad_request', 'invalid input');
  return new DomainError('bad_request', first.field ? `${first.field}: ${first.reason}` : first.reason, {
    ...(first.field && { field: first.field }),
    issues,
  });
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const badRequest = (field: string, message: string) => new DomainError('bad_request', message, { field });

/** Every problem a zod parse found, one per field (an unknown key is its own `unknown field`). */
export function issuesOfZod(err: ZodError): FieldIssue[] {
  const at = (path: PropertyKey[]) => path.map(String).join('.') || undefined;
  return err.issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({ field: at([...issue.path, key])!, reason: 'unknown field' }));
    const field = at(issue.path);
    return [{ ...(field && { field }), reason: issue.message }];
  });
}
