import { toJsonText } from './hostile';
import type { Op } from './operations';

/** The API fuzzer's requests: an input as a REST or tRPC request, encoded as a client would. */

export type Req = {
  method: string;
  /** Path and query after the door's prefix, percent-encoded. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** How many tRPC calls the request holds. */
  calls: number;
};

/** Percent-encodes as a client would, and a lone surrogate as its WTF-8 bytes (what encodeURIComponent refuses to do). */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...s]
      .map((ch) => {
        const c = ch.codePointAt(0)!;
        if (c >= 0xd800 && c <= 0xdfff)
          return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
            .map((b) => `%${b.toString(16).toUpperCase()}`)
            .join('');
        return encodeURIComponent(ch);
      })
      .join('');
  }
}

/** A query or path value: strings as they are, anything else as its JSON text. */
const asText = (v: unknown) => (typeof v === 'string' ? v : toJsonText(v));

export type Built = { req: Req; input: Record<string, unknown> | undefined; described: string };

export function buildRest(op: Op, input: Record<string, unknown>, key: string | undefined): Req {
  let path = op.path;
  const query: string[] = [];
  const body: Record<string, unknown> = {};
  const hasBody = op.method !== 'GET' && op.method !== 'DELETE';
  for (const [k, v] of Object.entries(input)) {
    const where = op.where[k] ?? (hasBody ? 'body' : 'query');
    if (where === 'path' && path.includes(`{${k}}`)) path = path.replace(`{${k}}`, enc(asText(v)));
    else if (where === 'body' || (where === 'path' && hasBody)) body[k] = v;
    else query.push(`${enc(k)}=${enc(asText(v))}`);
  }
  path = path.replace(/\{(\w+)\}/g, '');
  return {
    method: op.method,
    url: `${path}${query.length ? `?${query.join('&')}` : ''}`,
    headers: { ...(key && { authorization: `Bearer ${key}` }), ...(hasBody && { 'content-type': 'application/json' }) },
    ...(hasBody && { body: toJsonText(body) }),
    calls: 1,
  };
}

export function buildTrpc(op: Op, inputText: string | undefined, key: string | undefined, batch = 0): Req {
  const headers: Record<string, string> = { ...(key && { authorization: `Bearer ${key}` }) };
  if (batch) {
    const procs = Array.from({ length: batch }, () => op.procedure).join(',');
    const all = `{${Array.from({ length: batch }, (_, i) => `"${i}":${inputText ?? '{}'}`).join(',')}}`;
    if (op.kind === 'query')
      return { method: 'GET', url: `/${procs}?batch=1&input=${enc(all)}`, headers, calls: batch };
    return {
      method: 'POST',
      url: `/${procs}?batch=1`,
      headers: { ...headers, 'content-type': 'application/json' },
      body: all,
      calls: batch,
    };
  }
  if (op.kind === 'query')
    return {
      method: 'GET',
      url: `/${op.procedure}${inputText === undefined ? '' : `?input=${enc(inputText)}`}`,
      headers,
      calls: 1,
    };
  return {
    method: 'POST',
    url: `/${op.procedure}`,
    headers: { ...headers, 'content-type': 'application/json' },
    ...(inputText !== undefined && { body: inputText }),
    calls: 1,
  };
}
