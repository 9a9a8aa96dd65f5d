import type { Json } from '../support/api';

/** The API fuzzer's reading of answers: each call's status, error code, message and named fields, and what an answer must never hold. */

export type CallResult = {
  status: number;
  code?: unknown;
  message?: unknown;
  fields: string[];
  data?: unknown;
  errorShape: boolean;
};
export type Answer = { status: number; text: string; calls: CallResult[] };

function fieldsOf(field: unknown, errors: unknown): string[] {
  const out: string[] = [];
  if (typeof field === 'string') out.push(field);
  if (Array.isArray(errors)) for (const e of errors) if (typeof e?.field === 'string') out.push(e.field);
  return out;
}

export function readRest(status: number, text: string): CallResult {
  let body: Json = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    return { status, fields: [], errorShape: false };
  }
  if (status < 400) return { status, fields: [], data: body, errorShape: true };
  const e = body?.error;
  return {
    status,
    code: e?.code,
    message: e?.message,
    fields: fieldsOf(e?.field, body?.errors),
    errorShape: !!e && typeof e === 'object',
  };
}

function readTrpcOne(one: Json, fallback: number): CallResult {
  if (one?.result) return { status: 200, fields: [], data: one.result.data, errorShape: true };
  const e = one?.error;
  const d = e?.data;
  return {
    status: typeof d?.httpStatus === 'number' ? d.httpStatus : fallback,
    code: d?.errorCode,
    message: e?.message,
    fields: fieldsOf(d?.field, d?.errors),
    errorShape: !!e && typeof e === 'object',
  };
}

export function readTrpc(status: number, text: string, calls: number): CallResult[] {
  let body: Json;
  try {
    body = JSON.parse(text);
  } catch {
    return Array.from({ length: calls }, () => ({ status, fields: [], errorShape: false }));
  }
  if (Array.isArray(body)) return body.map((one) => readTrpcOne(one, status));
  return [readTrpcOne(body, status)];
}

/** What an answer must never hold: SQL, driver messages, our column names, a stack trace, a V8 internal. */
export const leaks: [string, RegExp][] = [
  [
    'SQL text',
    /\binsert into\b|\bselect\s[^"]{0,200}\bfrom\b|\bupdate\s+"?\w+"?\s+set\b|\bdelete from\b|\breturning\b\s+"/i,
  ],
  ['SQL parameters', /params:/i],
  [
    'database error',
    /syntax error|invalid byte sequence|unsupported Unicode escape|violates (not-null|foreign key|unique|check) constraint|relation "|column "|Failed query|PostgresError|invalid input syntax/i,
  ],
  ['stack trace', /\n\s+at |\\n\s+at | {4}at [\w.<]/],
  [
    'JavaScript internal',
    /Maximum call stack|RangeError|TypeError|ReferenceError|Cannot read propert|is not a function|undefined is not/,
  ],
];

/** The answer's text without tRPC's `data.stack` in each error; null when it had none. */
export function withoutTrpcStacks(text: string): string | null {
  let body: Json;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  let found = false;
  for (const one of Array.isArray(body) ? body : [body]) {
    if (one?.error?.data && 'stack' in one.error.data) {
      delete one.error.data.stack;
      found = true;
    }
  }
  return found ? JSON.stringify(body) : null;
}

export const excerpt = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text);
