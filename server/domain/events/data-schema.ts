import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { badRequest, type FieldIssue } from '../errors';
import { asDoubles } from '../../json';
import { linearRegExpEngine, regexProblem } from '../linear-regex';

/**
 * JSON Schemas (2020-12) of the event-type catalog, for an event's `data`: compiled with Ajv when a
 * type is saved (an invalid schema is a 400 with Ajv's reason), and checked at publish with the
 * compiled validator, cached in-process per (type, updatedAt): a schema changes only by a write that
 * bumps `updatedAt`, so a cached validator is never stale.
 *
 * Ajv runs with strictSchema: an unknown keyword (a typo such as `requried`) is refused when saved
 * rather than silently ignored. A `pattern` (and a `patternProperties` key) runs on every publish of
 * its type, on data the publisher chose: it is matched by RE2 (linear time, see ../linear-regex), and
 * a pattern RE2 cannot run or that nests repetitions (`(a+)+`) is refused when saved, naming its place.
 */
export type DataSchema = Record<string, unknown> | boolean;
export type DataValidator = (data: unknown) => FieldIssue[];

/** At most this many problems are reported for one event (the first ones Ajv finds). */
const MAX_ISSUES = 20;
const CACHE_SIZE = 1000;

let shared: Ajv2020 | null = null;
function ajv(): Ajv2020 {
  if (!shared) {
    // Strict about the schema's own words (an unknown keyword is a typo), not about style: a
    // `required` property without its `properties` entry, or `properties` without `type`, is valid JSON Schema.
    shared = new Ajv2020({
      code: { regExp: linearRegExpEngine },
      allErrors: true,
      strictSchema: true,
      strictNumbers: true,
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
    });
    addFormats(shared);
  }
  return shared;
}

function forget(instance: Ajv2020, schema: DataSchema): void {
  for (const key of [schema, typeof schema === 'object' && typeof schema.$id === 'string' ? schema.$id : null]) {
    if (key === null || typeof key === 'boolean') continue;
    try {
      instance.removeSchema(key);
    } catch {
      // not registered
    }
  }
}

/** A JSON pointer token (RFC 6901): `~` and `/` escaped. */
const token = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The dotted field path of a pointer under `data` (`/items/0/sku` → `data.items.0.sku`). */
const fieldOf = (pointer: string) =>
  [
    'data',
    ...pointer
      .split('/')
      .slice(1)
      .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~')),
  ].join('.');

/** Ajv's errors as field issues, each naming the JSON pointer (under `data`) of the value that fails. */
function issuesOf(errors: ErrorObject[]): FieldIssue[] {
  const out: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let pointer = e.instancePath;
    let reason = e.message ?? `fails "${e.keyword}"`;
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required' || e.keyword === 'dependentRequired') {
      pointer += `/${token(String(params.missingProperty))}`;
      reason = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      pointer += `/${token(String(params.additionalProperty))}`;
      reason = 'is not allowed by the schema (additionalProperties)';
    } else if (e.keyword === 'unevaluatedProperties') {
      pointer += `/${token(String(params.unevaluatedProperty))}`;
      reason = 'is not allowed by the schema (unevaluatedProperties)';
    }
    const key = `${pointer}\n${reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field: fieldOf(pointer), pointer: pointer || '', reason: `${pointer || '/'} ${reason}` });
    if (out.length >= MAX_ISSUES) break;
  }
  return out;
}

/** Keywords whose values are data, not schemas: a `pattern` key inside them is not a keyword. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'examples', 'default']);
/** Keywords whose values map names to subschemas. */
const SCHEMA_MAPS = new Set(['properties', '$defs', 'definitions', 'dependentSchemas']);

/** The first refused regular expression of a schema (a `pattern`, or a `patternProperties` key): its dotted place and why. */
function regexIssue(node: unknown, at: string): { field: string; reason: string } | null {
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) {
      const issue = regexIssue(v, `${at}.${i}`);
      if (issue) return issue;
    }
    return null;
  }
  if (typeof node !== 'object' || node === null) return null;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    const here = `${at}.${key}`;
    if (DATA_KEYWORDS.has(key)) continue;
    if (key === 'pattern' && typeof value === 'string') {
      const problem = regexProblem(value);
      if (problem) return { field: here, reason: `${here} ${JSON.stringify(value)} ${problem}` };
    } else if (
      (key === 'patternProperties' || SCHEMA_MAPS.has(key)) &&
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value)
    ) {
      for (const [name, sub] of Object.entries(value as Record<string, unknown>)) {
        const problem = key === 'patternProperties' ? regexProblem(name) : null;
        if (problem) return { field: `${here}.${name}`, reason: `${here}: the key ${JSON.stringify(name)} ${problem}` };
        const issue = regexIssue(sub, `${here}.${name}`);
        if (issue) return issue;
      }
    } else {
      const issue = regexIssue(value, here);
      if (issue) return issue;
    }
  }
  return null;
}

/** Compiles a schema; an invalid one is a 400 on `field` with Ajv's reason, a refused regular expression a 400 naming its place. */
export function compileDataSchema(
  schema: DataSchema,
  field = 'schema',
  opts: { saving: boolean } = { saving: true },
): DataValidator {
  // Only a write is refused for a nested repetition: a schema saved before the rule still validates
  // its events (RE2 runs it in linear time anyway).
  const refused = opts.saving ? regexIssue(schema, field) : null;
  if (refused) throw badRequest(refused.field, refused.reason);
  let validate: ReturnType<Ajv2020['compile']>;
  const instance = ajv();
  try {
    validate = instance.compile(schema);
  } catch (err) {
    throw badRequest(
      field,
      `${field} is not a valid JSON Schema (2020-12): ${err instanceof Error ? err.message : String(err)}`,
    );
  } finally {
    // The compiled function stands alone: forget the schema, so two versions with one `$id` never clash.
    forget(instance, schema);
  }
  // Ajv compares JavaScript numbers: a number kept exact (server/domain/json.ts) is checked as its
  // nearest double, while the event keeps and delivers its exact text.
  return (data) => (validate(asDoubles(data)) ? [] : issuesOf(validate.errors ?? []));
}

const cache = new Map<string, DataValidator>();

/** The compiled validator of a saved type's schema, compiled once per (name, updatedAt) in this process. */
export function validatorFor(name: string, updatedAt: Date, schema: DataSchema): DataValidator {
  const key = `${name}@${updatedAt.getTime()}`;
  let v = cache.get(key);
  if (!v) {
    v = compileDataSchema(schema, 'schema', { saving: false });
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(key, v);
  }
  return v;
}

/** The validator of (name, updatedAt) if this process compiled it already (then the schema need not be read). */
export function cachedValidator(name: string, updatedAt: Date): DataValidator | undefined {
  return cache.get(`${name}@${updatedAt.getTime()}`);
}
