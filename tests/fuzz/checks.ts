import { errorCodes } from '../../server/domain/errors';
import type { Json } from '../support/api';
import { excerpt, leaks, withoutTrpcStacks, type Answer, type CallResult } from './answers';
import type { FuzzCase } from './cases';
import type { Planned } from './case-plan';
import { diff, fingerprint } from './fingerprint';
import { isRaw, toJsonText } from './hostile';
import { schemaTypes, type Op } from './operations';
import type { FuzzRun } from './run-state';

/** The API fuzzer's checks: what every answer must satisfy, and what a case's answer must be. */

/** Whether a REST field travels in the URL (path or query string) rather than in the JSON body. */
const inUrl = (op: Op, field: string) =>
  op.door === 'rest' && (op.method === 'GET' || op.method === 'DELETE' || op.where[field.split('.')[0]!] === 'path');

/** The JSON type of a value as the server sees it. */
function jsonType(v: unknown): string {
  if (isRaw(v))
    return /^[[{]/.test(v.raw) ? (v.raw.startsWith('[') ? 'array' : 'object') : /^"/.test(v.raw) ? 'string' : 'number';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** A string value the contract refuses anywhere: NUL bytes and lone surrogates. */
function hasForbiddenText(v: unknown): boolean {
  if (isRaw(v)) return /\\ud8|\\u0000/i.test(v.raw);
  if (typeof v === 'string')
    return v.includes('\u0000') || /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(v);
  if (Array.isArray(v)) return v.some(hasForbiddenText);
  if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => hasForbiddenText(k) || hasForbiddenText(x));
  return false;
}

/** Checks every request must pass, whatever was sent. */
export function generalChecks(run: FuzzRun, op: Op, input: string, a: Answer, asA: boolean): void {
  const { fail, bSecrets } = run;
  const f = (check: string, status = a.status) => fail({ check, op: op.name, input, status, excerpt: excerpt(a.text) });
  let text = a.text;
  if (op.door === 'trpc') {
    // tRPC adds `data.stack` to every error unless NODE_ENV is production: its own class, taken
    // out so that what else an answer leaks still shows.
    const stripped = withoutTrpcStacks(a.text);
    if (stripped !== null) {
      f('tRPC error carries data.stack (tRPC isDev: NODE_ENV is not production)');
      text = stripped;
    }
  }
  for (const [what, re] of leaks) if (re.test(text)) f(`answer holds ${what}`);
  for (const c of a.calls) {
    if (c.status >= 500 && !(c.status === 503 && c.code === 'unavailable')) f(`${c.status} answer`, c.status);
    if (c.status >= 400 && c.status < 600) {
      if (!c.errorShape) f('error answer without {error}', c.status);
      else {
        if (!(errorCodes as readonly unknown[]).includes(c.code))
          f(`error without a known error.code (${String(c.code)})`, c.status);
        if (typeof c.message !== 'string' || c.message.trim() === '') f('error without a message', c.status);
      }
    }
  }
  if (asA)
    for (const id of bSecrets)
      if (a.text.includes(id)) f(`customer A's answer holds customer B's id ${id.slice(0, 4)}`);
}

/** Checks of one case's answer: the status it expects, refusal of what was broken, the field a 400 names, and (`before`: a fingerprint of stored data) that a refused request changed nothing. */
export async function checkAnswer(
  run: FuzzRun,
  c: FuzzCase,
  planned: Planned,
  a: Answer,
  before: string | null,
): Promise<void> {
  const { ctx, w, fail, validOps } = run;
  const { op, key, built, expect, broken } = planned;
  const m = c.mutation;
  const asA = key === w.a.key;
  const input = built.described;
  generalChecks(run, op, input, a, asA);
  const f = (check: string, status = a.status) => fail({ check, op: op.name, input, status, excerpt: excerpt(a.text) });

  if (expect) {
    const wrong = a.calls.find((call) => !expect.statuses.includes(call.status));
    if (wrong) f(`expected ${expect.statuses.join(' or ')} (${expect.why}), got ${wrong.status}`, wrong.status);
    for (const call of a.calls) {
      if (call.status === 200 && expect.statuses.includes(404)) {
        const data = (call.data as Json)?.data;
        if (Array.isArray(data) && data.length)
          f(`expected 404 or an empty list (${expect.why}), got ${data.length} items`);
      }
    }
  }
  // A batch publish answers 202 with one result per item: an item it refused in its own result
  // (`events.3` → `results[3].error`) was refused, whatever the request's status.
  const itemRefused = (call: CallResult) => {
    const item = broken.field ? /^events\.(\d+)/.exec(broken.field) : null;
    const results = (call.data as Json)?.results;
    return item !== null && Array.isArray(results) && results[Number(item[1])]?.error !== undefined;
  };
  const accepted = a.calls.every((call) => call.status < 300 && !itemRefused(call));
  if (broken.field && accepted) {
    const s = op.schema.properties?.[broken.field.split('.')[0]!];
    if (m.kind === 'unknown') f('accepted an unknown field');
    else if (broken.dropped) f('accepted a request without a required field');
    // In a URL a lone surrogate arrives as U+FFFD (its WTF-8 bytes are not UTF-8): only a NUL counts there.
    else if (
      hasForbiddenText(broken.value) &&
      !(inUrl(op, broken.field) && !toJsonText(broken.value).includes('\\u0000'))
    )
      f('accepted a NUL byte or a lone surrogate');
    else if (op.door === 'trpc' || op.where[broken.field] === 'body') {
      const types = broken.field.includes('.') ? null : schemaTypes(s);
      const t = jsonType(broken.value);
      if (types && !types.has(t) && !(t === 'integer' && types.has('number')))
        f(`accepted a ${t} where the schema says ${[...types].join(' or ')}`);
    }
  }
  // A 400 for a broken field of an input that is otherwise valid names that field.
  if (broken.field && validOps.has(c.op)) {
    for (const call of a.calls) {
      if (call.status !== 400) continue;
      // A lone surrogate cannot travel in a URL: the server sees U+FFFD instead, and names that.
      if (inUrl(op, broken.field) && hasForbiddenText(broken.field)) continue;
      const top = broken.field.split('.')[0]!;
      const named = call.fields.some(
        (x) => x === broken.field || x === top || x.startsWith(`${top}.`) || broken.field!.startsWith(`${x}.`),
      );
      if (!named) f(`400 does not name the broken field (names: ${call.fields.join(', ') || 'none'})`);
    }
  }
  // Refused as a whole (a batch with some calls done is not).
  if (before !== null && a.calls.every((call) => call.status >= 400)) {
    const after = await fingerprint(ctx);
    if (after !== before) f(`refused request changed stored data (${diff(before, after)})`);
  }
}
