import { isJsonNumber, isRawNumber } from '../json';
import {
  fieldOperators,
  isFieldOperator,
  isOperatorObject,
  isPlainObject,
  type FieldOperator,
  type FilterIssue,
} from './filters';

/**
 * Checking a payload filter (filters.ts) when it is saved: its paths, operators, operands, depth and
 * size. The most a filter may hold:
 */
export const FILTER_LIMITS = { depth: 8, bytes: 4096, conditions: 50 } as const;

/** The top-level fields of a delivered body: every path starts at one of them. */
const FILTER_ROOTS = ['id', 'type', 'timestamp', 'data'] as const;

const kindOf = (v: unknown): string =>
  v === null
    ? 'null'
    : isJsonNumber(v)
      ? 'a number'
      : Array.isArray(v)
        ? 'an array'
        : typeof v === 'object'
          ? 'an object'
          : `a ${typeof v}`;

const join = (at: string, key: string) => (at ? `${at}.${key}` : key);

/**
 * Every problem of a filter, each with its place (`data.amount`, `$or[1].data.country`; empty for the
 * filter as a whole) and a reason naming the operator. Empty: the filter is valid.
 */
export function validateFilter(filter: unknown): FilterIssue[] {
  if (!isPlainObject(filter))
    return [{ path: '', reason: `must be a JSON object of conditions, not ${kindOf(filter)}` }];
  let text: string;
  try {
    text = JSON.stringify(filter);
  } catch {
    return [{ path: '', reason: `nests too deeply (at most ${FILTER_LIMITS.depth} levels of $and, $or and $not)` }];
  }
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > FILTER_LIMITS.bytes)
    return [{ path: '', reason: `is ${bytes} bytes serialised, above the limit of ${FILTER_LIMITS.bytes}` }];
  const issues: FilterIssue[] = [];
  let conditions = 0;
  let tooDeep = false;

  const group = (f: unknown, at: string, depth: number): void => {
    if (depth > FILTER_LIMITS.depth) {
      tooDeep = true;
      return;
    }
    if (!isPlainObject(f)) {
      issues.push({ path: at, reason: `must be an object of conditions, not ${kindOf(f)}` });
      return;
    }
    for (const [key, value] of Object.entries(f)) {
      if (key === '$and' || key === '$or') {
        if (!Array.isArray(value) || value.length === 0) {
          issues.push({
            path: join(at, key),
            reason: `"${key}" takes a non-empty array of conditions, not ${Array.isArray(value) ? 'an empty array' : kindOf(value)}`,
          });
          continue;
        }
        value.forEach((sub, i) => group(sub, `${join(at, key)}[${i}]`, depth + 1));
      } else if (key === '$not') {
        if (!isPlainObject(value) || Object.keys(value).length === 0) {
          issues.push({
            path: join(at, key),
            reason: `"$not" takes an object of conditions, not ${isPlainObject(value) ? 'an empty object' : kindOf(value)}`,
          });
          continue;
        }
        group(value, join(at, key), depth + 1);
      } else if (key.startsWith('$')) {
        issues.push({
          path: join(at, key),
          reason: isFieldOperator(key)
            ? `"${key}" applies to a field: write {"data.amount": {"${key}": …}}`
            : `unknown operator "${key}" (top level: $and, $or, $not)`,
        });
      } else {
        const pathProblem = checkPath(key);
        if (pathProblem) {
          issues.push({ path: join(at, key), reason: pathProblem });
          continue;
        }
        condition(value, join(at, key), depth);
      }
    }
  };

  const condition = (value: unknown, at: string, depth: number): void => {
    if (!isOperatorObject(value)) {
      conditions++;
      return;
    }
    for (const [op, operand] of Object.entries(value)) {
      if (!op.startsWith('$')) {
        issues.push({
          path: at,
          reason: `mixes operators and fields ("${op}"): use an operator object ({"$eq": …}) or a literal, not both`,
        });
        continue;
      }
      if (!isFieldOperator(op)) {
        issues.push({ path: at, reason: `unknown operator "${op}" (fields take ${fieldOperators.join(' ')})` });
        continue;
      }
      if (op === '$not') {
        if (!isOperatorObject(operand)) {
          issues.push({
            path: at,
            reason: `"$not" on a field takes an operator object, e.g. {"$not": {"$gt": 5}}, not ${kindOf(operand)}`,
          });
          continue;
        }
        if (depth + 1 > FILTER_LIMITS.depth) {
          tooDeep = true;
          continue;
        }
        condition(operand, at, depth + 1);
        continue;
      }
      conditions++;
      const problem = operandProblem(op, operand);
      if (problem) issues.push({ path: at, reason: problem });
    }
  };

  group(filter, '', 0);
  if (tooDeep)
    issues.push({ path: '', reason: `nests too deeply (at most ${FILTER_LIMITS.depth} levels of $and, $or and $not)` });
  if (conditions > FILTER_LIMITS.conditions)
    issues.push({ path: '', reason: `has ${conditions} conditions, above the limit of ${FILTER_LIMITS.conditions}` });
  return issues;
}

function checkPath(path: string): string | null {
  const segments = path.split('.');
  if (segments.some((s) => s === '')) return `path "${path}" has an empty segment`;
  if (!(FILTER_ROOTS as readonly string[]).includes(segments[0]!))
    return `path "${path}" must start with ${FILTER_ROOTS.join(', ')} (the event's data is under "data.")`;
  return null;
}

function operandProblem(op: Exclude<FieldOperator, '$not'>, operand: unknown): string | null {
  switch (op) {
    case '$eq':
    case '$ne':
    case '$contains':
      return null;
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return (typeof operand === 'number' && Number.isFinite(operand)) ||
        isRawNumber(operand) ||
        typeof operand === 'string'
        ? null
        : `"${op}" takes a number or a string, not ${kindOf(operand)}`;
    case '$in':
    case '$nin':
      return Array.isArray(operand) ? null : `"${op}" takes an array of values, not ${kindOf(operand)}`;
    case '$exists':
      return typeof operand === 'boolean' ? null : `"$exists" takes true or false, not ${kindOf(operand)}`;
    case '$startsWith':
    case '$endsWith':
      return typeof operand === 'string' ? null : `"${op}" takes a string, not ${kindOf(operand)}`;
  }
}
