/**
 * Turns what the API throws into words for people. tRPC errors carry the domain error in `data`
 * (server/api/trpc.ts errorFormatter): `code` (not_found, bad_request…), `field`, `retryAfterSeconds`.
 */
type ErrorData = { code?: string; field?: string; httpStatus?: number; retryAfterSeconds?: number | null };

function dataOf(err: unknown): ErrorData | undefined {
  if (err && typeof err === 'object' && 'data' in err) {
    const data = err.data;
    if (data && typeof data === 'object') return data;
  }
  return undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : typeof err === 'string' ? err : '';
}

function sentence(s: string): string {
  const t = s.trim();
  if (!t) return t;
  return t[0]!.toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

export function errorCode(err: unknown): string | undefined {
  return dataOf(err)?.code;
}

export function isNotFound(err: unknown): boolean {
  const data = dataOf(err);
  return data?.code === 'not_found' || data?.httpStatus === 404;
}

/** One sentence saying what went wrong and, where it helps, what to do. */
export function describeError(err: unknown): string {
  const data = dataOf(err);
  if (!data) return 'Could not reach Hookrelay. Check your connection and try again.';
  switch (data.code ?? '') {
    case 'unauthorized':
      return 'Your session has ended. Sign in again to continue.';
    case 'forbidden':
      return sentence(messageOf(err) || 'You are not allowed to do this');
    case 'rate_limited':
      return messageOf(err) ? `Too many requests: ${messageOf(err)}.` : `Too many requests. Try again in ${data.retryAfterSeconds ?? 'a few'} seconds.`;
    case 'internal':
      return 'Something went wrong on our side. Try again in a moment.';
    default:
      return sentence(stripField(messageOf(err), data.field)) || 'The request failed.';
  }
}

function stripField(message: string, field: string | undefined): string {
  return field && message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}

/** The field an API error is about (`url`, `eventTypes.1`…) and its message without the field prefix. */
export function fieldError(err: unknown): { field: string; message: string } | null {
  const data = dataOf(err);
  if (!data?.field || data.code !== 'bad_request') return null;
  return { field: data.field, message: sentence(stripField(messageOf(err), data.field)) };
}
