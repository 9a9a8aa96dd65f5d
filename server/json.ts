import { z } from 'zod';

/**
 * JSON as it was written. Every JSON input (REST and tRPC bodies, tRPC `?input=`, an event's
 * `data`, filters, schemas, examples) goes through here:
 *
 * - Depth: at most MAX_JSON_DEPTH levels of arrays and objects, found by an iterative scan (nothing
 *   here recurses, so no input can overflow the stack).
 * - Exact numbers: a number whose text would not come back unchanged from a JavaScript number
 *   (`9007199254740993`, `1e400`, `1.0`, `-0`) is kept as `JSON.rawJSON(text)`, which
 *   `JSON.stringify` writes back verbatim. An event's `data` is therefore delivered with the very
 *   number texts it was published with, and the signature covers those bytes.
 * - Text: no string (nor object key) may hold U+0000 or a lone surrogate (PostgreSQL cannot store
 *   the one, and UTF-8 cannot carry the other).
 */
export const MAX_JSON_DEPTH = 64;

/** A number kept as its JSON text (`JSON.rawJSON`): a frozen object with one `rawJSON` string. */
export type RawNumber = { readonly rawJSON: string };

type JsonWithRaw = JSON & {
  rawJSON(text: string): RawNumber;
  isRawJSON(v: unknown): v is RawNumber;
  parse(text: string, reviver: (key: string, value: unknown, context?: { source?: string }) => unknown): unknown;
};
const J = JSON as JsonWithRaw;

export const isRawNumber = (v: unknown): v is RawNumber => typeof v === 'object' && v !== null && J.isRawJSON(v);

/** A JSON number, as a number or a kept text. */
export const isJsonNumber = (v: unknown): v is number | RawNumber => typeof v === 'number' || isRawNumber(v);

/** The JSON text of a number (its published text when it was kept). */
const numberText = (v: number | RawNumber): string => (typeof v === 'number' ? String(v) : v.rawJSON);

export type JsonProblem = { pointer: string; reason: string };

/**
 * One pass over a JSON text, outside strings: how deep it nests (stopping past `maxDepth`, with the
 * place where it did: its first keys and indexes) and whether a number's text differs from what a
 * JavaScript number would print.
 */
function scan(text: string, maxDepth: number): { tooDeep: string[] | null; inexact: boolean } {
  // One frame per open container: an object's current key, or an array's current index.
  const frames: Array<{ key: string | null; index: number }> = [];
  let inexact = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: skip to its closing quote; inside an object, the string before a `:` is the key
      const start = i;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
      const top = frames[frames.length - 1];
      if (top && top.key !== null && frames.length <= 3) {
        let j = i + 1;
        while (j < n && /\s/.test(text[j]!)) j++;
        if (text[j] === ':') top.key = keyText(text.slice(start, i + 1));
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (frames.length >= maxDepth) return { tooDeep: placeOf(frames), inexact };
      frames.push({ key: c === 0x7b ? '' : null, index: 0 });
    } else if (c === 0x7d || c === 0x5d) {
      frames.pop();
    } else if (c === 0x2c) {
      const top = frames[frames.length - 1];
      if (top && top.key === null) top.index++;
    } else if (!inexact && (c === 0x2d || (c >= 0x30 && c <= 0x39))) {
      let j = i + 1;
      while (j < n && /[0-9eE.+-]/.test(text[j]!)) j++;
      const token = text.slice(i, j);
      if (String(Number(token)) !== token) inexact = true;
      i = j - 1;
    }
  }
  return { tooDeep: null, inexact };
}

function keyText(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
}

/** The first three steps of where a too-deep value starts (`["name", "0", "0"]`), to name its field. */
function placeOf(frames: Array<{ key: string | null; index: number }>): string[] {
  return frames.slice(0, 3).map((f) => (f.key === null ? String(f.index) : f.key));
}

export class JsonInputError extends Error {
  constructor(
    message: string,
    /** Where in the value it went wrong (keys and indexes from the top), when known. */
    readonly place: string[] = [],
  ) {
    super(message);
    this.name = 'JsonInputError';
  }
}

const keepExact = (_key: string, value: unknown, context?: { source?: string }) =>
  typeof value === 'number' && context?.source !== undefined && String(value) !== context.source
    ? J.rawJSON(context.source)
    : value;

/**
 * Parses JSON text from a client: refused (JsonInputError) when it is not JSON or nests deeper than
 * MAX_JSON_DEPTH; numbers keep their exact text. Strings are checked by the input schemas (`text()`,
 * `checkJson`), so that each refusal names its field (and a batch refuses only its bad items).
 */
export function parseJsonInput(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  const { tooDeep, inexact } = scan(text, maxDepth);
  if (tooDeep) throw new JsonInputError(`nests more than ${maxDepth} levels deep`, tooDeep);
  let value: unknown;
  try {
    value = inexact ? J.parse(text, keepExact) : (JSON.parse(text) as unknown);
  } catch {
    throw new JsonInputError('is not valid JSON');
  }
  return value;
}

/** Parses JSON this service wrote (a stored body, a jsonb column): numbers keep their exact text. */
export function parseJsonExact(text: string): unknown {
  return scan(text, Infinity).inexact ? J.parse(text, keepExact) : (JSON.parse(text) as unknown);
}

/** Why a string cannot be taken (NUL, lone surrogate), or null. */
function badTextReason(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain a NUL character (\\u0000)';
  if (!(s as string & { isWellFormed(): boolean }).isWellFormed())
    return 'must not contain a lone surrogate (an unpaired \\ud800-\\udfff)';
  return null;
}

/** A JSON pointer token (RFC 6901): `~` and `/` escaped. */
const pointerToken = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The first problem of a JSON value, walked without recursion: nesting deeper than `maxDepth`, or a
 * string or key with a NUL or a lone surrogate. `pointer` is the JSON pointer (RFC 6901) of the place.
 */
export function jsonProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem | null {
  const stack: Array<[unknown, string, number]> = [[value, '', 0]];
  while (stack.length) {
    const [v, at, depth] = stack.pop()!;
    if (typeof v === 'string') {
      const reason = badTextReason(v);
      if (reason) return { pointer: at, reason };
    } else if (typeof v === 'object' && v !== null && !isRawNumber(v)) {
      if (depth + 1 > maxDepth) return { pointer: at, reason: `nests more than ${maxDepth} levels deep` };
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${at}/${i}`, depth + 1]);
      } else {
        const entries = Object.entries(v as Record<string, unknown>);
        for (let i = entries.length - 1; i >= 0; i--) {
          const [k, x] = entries[i]!;
          const reason = badTextReason(k);
          if (reason) return { pointer: `${at}/${pointerToken(k)}`, reason: `key ${reason}` };
          stack.push([x, `${at}/${pointerToken(k)}`, depth + 1]);
        }
      }
    }
  }
  return null;
}

/**
 * The input schema of every string: no NUL, no lone surrogate (a 400 naming the field). Every
 * string of an API input is one of these.
 */
export const text = () =>
  z.string().check((ctx) => {
    const reason = badTextReason(ctx.value);
    if (reason) ctx.issues.push({ code: 'custom', message: reason, input: ctx.value });
  });

/**
 * Refines a schema of arbitrary JSON (an event's `data`, a filter, a JSON Schema, an example): its
 * strings and depth are checked as above, the problem named by its place under the field.
 */
export function checkJson<T extends z.ZodType>(schema: T): T {
  return schema.check((ctx) => {
    const problem = jsonProblem(ctx.value);
    if (!problem) return;
    const path = problem.pointer
      .split('/')
      .slice(1)
      .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    ctx.issues.push({ code: 'custom', message: problem.reason, input: ctx.value, path });
  });
}

/**
 * The value with every kept number turned into the nearest JavaScript number (beyond ±1.8e308:
 * ±Number.MAX_VALUE), for code that can only compare doubles (Ajv). The value itself when it keeps none.
 */
export function asDoubles(value: unknown): unknown {
  const stack: unknown[] = [value];
  let kept = false;
  while (stack.length && !kept) {
    const v = stack.pop();
    if (isRawNumber(v)) kept = true;
    else if (typeof v === 'object' && v !== null) stack.push(...(Object.values(v) as unknown[]));
  }
  if (!kept) return value;
  return JSON.parse(JSON.stringify(value), (_k, v: unknown) =>
    v === Infinity ? Number.MAX_VALUE : v === -Infinity ? -Number.MAX_VALUE : v,
  ) as unknown;
}

/** A JSON number text as sign, significant digits and exponent: `-12.50e3` → (-1, "125", 2). */
function decimalOf(s: string): { sign: number; digits: string; exp: number } {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) return { sign: 0, digits: '', exp: 0 };
  const frac = m[3] ?? '';
  let digits = (m[2]! + frac).replace(/^0+/, '');
  let exp = Number(m[4] ?? '0') - frac.length;
  const trimmed = digits.replace(/0+$/, '');
  exp += digits.length - trimmed.length;
  digits = trimmed;
  if (digits === '') return { sign: 0, digits: '', exp: 0 };
  return { sign: m[1] ? -1 : 1, digits, exp };
}

/** Compares two JSON numbers by their exact decimal value (no rounding to doubles): -1, 0 or 1. */
export function compareJsonNumbers(a: number | RawNumber, b: number | RawNumber): number {
  const x = decimalOf(numberText(a));
  const y = decimalOf(numberText(b));
  if (x.sign !== y.sign) return x.sign < y.sign ? -1 : 1;
  if (x.sign === 0) return 0;
  // Same sign: compare magnitudes by order of magnitude, then digit by digit.
  const mx = x.digits.length + x.exp;
  const my = y.digits.length + y.exp;
  let mag = 0;
  if (mx !== my) mag = mx < my ? -1 : 1;
  else {
    const len = Math.max(x.digits.length, y.digits.length);
    const dx = x.digits.padEnd(len, '0');
    const dy = y.digits.padEnd(len, '0');
    mag = dx === dy ? 0 : dx < dy ? -1 : 1;
  }
  return mag * x.sign;
}

/**
 * An object-valued input (a record: headers, a filter, a schema): a number kept exact (a frozen
 * `{rawJSON}` object) is a number here, refused as one, never taken for an object with a key
 * `rawJSON`.
 */
export function objectInput<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (isRawNumber(v) ? Number(v.rawJSON) : v), schema);
}
