/**
 * Payload filters: a JSON condition on the delivered body `{id, type, timestamp, data}`, in the
 * MongoDB style (as Convoy and Outpost take them). A subscription receives an event when one of its
 * type patterns matches and its filter holds.
 *
 *   {"data.amount": {"$gte": 1000}, "data.currency": "eur", "$or": [{"data.country": "FR"}, {"data.vip": true}]}
 *
 * - Keys are dot paths into the body (`data.customer.country`; a numeric segment indexes an array:
 *   `data.items.0.sku`), starting at `id`, `type`, `timestamp` or `data`. Every key must hold (AND).
 * - A value is a literal (equality, arrays and objects compared by value, key order ignored) or an
 *   operator object: `$eq $ne $gt $gte $lt $lte $in $nin $exists $startsWith $endsWith $contains`
 *   (several in one object must all hold) and `$not` (an operator object to negate).
 * - `$and` and `$or` take non-empty arrays of filters, `$not` one filter.
 * - A missing field equals nothing (not even `null`): `$eq`, `$in`, comparisons and `$startsWith` fail
 *   on it, `$ne` and `$nin` hold. `$exists: true` asks for the field to be present (a `null` is present).
 * - Comparisons hold only between two numbers or two strings (ISO 8601 timestamps compare as strings);
 *   numbers compare by their exact decimal value, however many digits they have;
 *   `$contains` is a substring of a string or an element (by value) of an array.
 *
 * Pure: no I/O, no clock. The API validates a filter when a subscription is saved
 * (filter-validation.ts); the fan-out evaluates it per event (here) and names the condition that
 * failed, for the routing trace.
 */
import { compareJsonNumbers, isJsonNumber, isRawNumber } from '../json';

export type Filter = Record<string, unknown>;
export type FilterIssue = { path: string; reason: string };
export type FilterResult = { matches: true; failed?: undefined } | { matches: false; failed: string };

export const fieldOperators = [
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$startsWith',
  '$endsWith',
  '$contains',
  '$not',
] as const;
export type FieldOperator = (typeof fieldOperators)[number];
export const isFieldOperator = (k: string): k is FieldOperator => (fieldOperators as readonly string[]).includes(k);

/** A JSON object (a number kept as its exact text is a number, not an object: server/domain/json.ts). */
export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !isRawNumber(v);

/** An operator object: a non-empty object whose keys start with `$` (an object without them is a literal). */
export const isOperatorObject = (v: unknown): v is Record<string, unknown> =>
  isPlainObject(v) && Object.keys(v).some((k) => k.startsWith('$'));

/** The value at a dot path, if there is one. Own properties only: `__proto__` or `constructor` find nothing. */
export function resolvePath(body: unknown, path: string): { found: boolean; value?: unknown } {
  let cur: unknown = body;
  for (const seg of path.split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      const i = Number(seg);
      if (i >= cur.length) return { found: false };
      cur = cur[i];
    } else if (isPlainObject(cur) && Object.hasOwn(cur, seg)) {
      cur = cur[seg];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: cur };
}

/**
 * Equality of JSON values by value: numbers by exact decimal value (`9007199254740993` is not
 * `9007199254740992`; `1.0` is `1`), arrays element by element, objects key by key in any order.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isJsonNumber(a) || isJsonNumber(b)) return isJsonNumber(a) && isJsonNumber(b) && compareJsonNumbers(a, b) === 0;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Numbers compare by exact decimal value (no rounding to doubles), strings by code unit. */
function compare(op: '$gt' | '$gte' | '$lt' | '$lte', value: unknown, operand: unknown): boolean {
  let c: number;
  if (isJsonNumber(value) && isJsonNumber(operand)) c = compareJsonNumbers(value, operand);
  else if (typeof value === 'string' && typeof operand === 'string') c = value < operand ? -1 : value > operand ? 1 : 0;
  else return false;
  switch (op) {
    case '$gt':
      return c > 0;
    case '$gte':
      return c >= 0;
    case '$lt':
      return c < 0;
    case '$lte':
      return c <= 0;
  }
}

function holds(op: FieldOperator, operand: unknown, found: boolean, value: unknown): boolean {
  switch (op) {
    case '$eq':
      return found && jsonEqual(value, operand);
    case '$ne':
      return !found || !jsonEqual(value, operand);
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return found && compare(op, value, operand);
    case '$in':
      return found && (operand as unknown[]).some((x) => jsonEqual(value, x));
    case '$nin':
      return !found || !(operand as unknown[]).some((x) => jsonEqual(value, x));
    case '$exists':
      return found === operand;
    case '$startsWith':
      return found && typeof value === 'string' && value.startsWith(operand as string);
    case '$endsWith':
      return found && typeof value === 'string' && value.endsWith(operand as string);
    case '$contains':
      if (typeof value === 'string') return typeof operand === 'string' && value.includes(operand);
      return Array.isArray(value) && value.some((x) => jsonEqual(x, operand));
    case '$not':
      return !operatorsHold(operand as Record<string, unknown>, found, value);
  }
}

function operatorsHold(ops: Record<string, unknown>, found: boolean, value: unknown): boolean {
  return Object.entries(ops).every(([op, operand]) => isFieldOperator(op) && holds(op, operand, found, value));
}

/** A short JSON rendering for a trace line (long values are cut). */
function preview(v: unknown, max = 60): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function describeFailure(path: string, op: string, operand: unknown, found: boolean, value: unknown): string {
  return `${path} ${op} ${preview(operand)} (${found ? `was ${preview(value)}` : 'missing'})`;
}

/**
 * Whether `body` (the delivered body, parsed) satisfies `filter`, and if not, which condition failed
 * first, e.g. `data.amount $gte 1000 (was 250)`. Assumes a filter that `validateFilter` accepted;
 * anything else in it fails rather than throws.
 */
export function evaluateFilter(filter: Filter, body: unknown): FilterResult {
  for (const [key, value] of Object.entries(filter)) {
    const r = evaluateEntry(key, value, body);
    if (!r.matches) return r;
  }
  return { matches: true };
}

function evaluateEntry(key: string, value: unknown, body: unknown): FilterResult {
  if (key === '$and') {
    for (const sub of Array.isArray(value) ? value : [value]) {
      const r = isPlainObject(sub)
        ? evaluateFilter(sub, body)
        : { matches: false as const, failed: '$and: not a condition' };
      if (!r.matches) return r;
    }
    return { matches: true };
  }
  if (key === '$or') {
    const failures: string[] = [];
    for (const sub of Array.isArray(value) ? value : []) {
      const r = isPlainObject(sub) ? evaluateFilter(sub, body) : { matches: false as const, failed: 'not a condition' };
      if (r.matches) return r;
      failures.push(r.failed);
    }
    return { matches: false, failed: `$or: no branch held (${failures.join('; ')})` };
  }
  if (key === '$not') {
    const r = isPlainObject(value) ? evaluateFilter(value, body) : { matches: true as const };
    return r.matches ? { matches: false, failed: `$not: ${preview(value, 120)} held` } : { matches: true };
  }
  const { found, value: actual } = resolvePath(body, key);
  if (!isOperatorObject(value)) {
    return found && jsonEqual(actual, value)
      ? { matches: true }
      : { matches: false, failed: describeFailure(key, '$eq', value, found, actual) };
  }
  for (const [op, operand] of Object.entries(value)) {
    if (!isFieldOperator(op) || !holds(op, operand, found, actual))
      return { matches: false, failed: describeFailure(key, op, operand, found, actual) };
  }
  return { matches: true };
}
