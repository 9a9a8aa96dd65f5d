import { formatDuration } from '@/server/domain/wording';

/**
 * Turns what the API throws into words for people. tRPC errors carry the domain error in `data`
 * (server/api/trpc.ts errorFormatter): `errorCode` (not_found, bad_request…), `field`,
 * `retryAfterSeconds`, next to tRPC's own `code` and `httpStatus`.
 */
type ErrorData = { code?: string; field?: string | null; httpStatus?: number; retryAfterSeconds?: number | null };
type RawData = {
  errorCode?: unknown;
  code?: unknown;
  field?: unknown;
  httpStatus?: unknown;
  retryAfterSeconds?: unknown;
};

function dataOf(err: unknown): ErrorData | undefined {
  if (!err || typeof err !== 'object' || !('data' in err) || !err.data || typeof err.data !== 'object')
    return undefined;
  const raw: RawData = err.data;
  const code =
    typeof raw.errorCode === 'string'
      ? raw.errorCode
      : typeof raw.code === 'string'
        ? raw.code.toLowerCase()
        : undefined;
  return {
    code,
    field: typeof raw.field === 'string' ? raw.field : null,
    httpStatus: typeof raw.httpStatus === 'number' ? raw.httpStatus : undefined,
    retryAfterSeconds: typeof raw.retryAfterSeconds === 'number' ? raw.retryAfterSeconds : null,
  };
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

/** The object does not exist for this account: a 404, or an id so malformed the API refused it (400 on `id`). */
export function isNotFound(err: unknown): boolean {
  const data = dataOf(err);
  return (
    data?.code === 'not_found' || data?.httpStatus === 404 || (data?.code === 'bad_request' && data.field === 'id')
  );
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
      return messageOf(err)
        ? `Too many requests: ${messageOf(err)}.`
        : `Too many requests. Try again in ${data.retryAfterSeconds ? formatDuration(data.retryAfterSeconds) : 'a few seconds'}.`;
    case 'internal':
      return 'Something went wrong on our side. Try again in a moment.';
    default:
      return sentence(messageOf(err)) || 'The request failed.';
  }
}

/** "url: must be…" and "url must be…" both become "must be…": the field's label already says which. */
function stripField(message: string, field: string | undefined): string {
  if (!field) return message;
  if (message.startsWith(`${field}: `)) return message.slice(field.length + 2);
  if (message.startsWith(`${field} `)) return message.slice(field.length + 1);
  return message;
}

/** The field an API error is about (`url`, `eventTypes.1`…) and its message without the field prefix. */
function fieldError(err: unknown): { field: string; message: string } | null {
  const data = dataOf(err);
  if (!data?.field || data.code !== 'bad_request') return null;
  return { field: data.field, message: sentence(stripField(messageOf(err), data.field)) };
}

/**
 * Every field problem of a 400 (`data.errors`: the API lists them all), each as `{field, message}`
 * without the field's own prefix; the single `field` of the error when the list is missing.
 */
export function fieldErrors(err: unknown): { field: string; message: string }[] {
  const data = dataOf(err);
  if (data?.code !== 'bad_request') return [];
  const raw = (err as { data?: { errors?: unknown } }).data?.errors;
  if (Array.isArray(raw)) {
    const out: { field: string; message: string }[] = [];
    for (const it of raw as unknown[]) {
      if (!it || typeof it !== 'object') continue;
      const { field, reason } = it as { field?: unknown; reason?: unknown };
      if (typeof field === 'string' && typeof reason === 'string')
        out.push({ field, message: sentence(stripField(reason, field)) });
    }
    if (out.length) return out;
  }
  const one = fieldError(err);
  return one ? [one] : [];
}
