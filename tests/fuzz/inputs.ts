import type { Mutation } from './cases';
import { ID_PREFIX, type JsonSchema, type Op } from './operations';

/** The API fuzzer's inputs: the valid one of an operation for a customer, and a copy with one thing broken. */

/** Ids of one customer's objects, by id prefix (plus an event-type name), for filling inputs. */
export type Ids = Record<string, string>;

/** A plausible value for `schema`: the document's example, the customer's own object for an id, or the smallest valid value. */
function sample(schema: JsonSchema, name: string, ids: Ids, seq: () => number): unknown {
  const branch = schema.anyOf ?? schema.oneOf;
  if (branch) return sample(branch.find((b) => b.type !== 'null') ?? branch[0]!, name, ids, seq);
  const prefix = schema.pattern && ID_PREFIX.exec(schema.pattern)?.[1];
  if (prefix) return ids[prefix] ?? `${prefix}_00000000000000000000000000`;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (name === 'url') return 'http://127.0.0.1:9/fuzz';
  if (name === 'name' && schema.description?.toString().includes('event type')) return `fuzz.t${seq()}`;
  if (name === 'externalId') return `ext-${seq()}`;
  if (name === 'email') return `fuzz${seq()}@example.com`;
  if (schema.examples?.length) return structuredClone(schema.examples[0]);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      if (schema.format === 'date-time') return new Date(Date.now() - 3_600_000).toISOString();
      if (schema.format === 'date') return new Date().toISOString().slice(0, 10);
      return 'f'.repeat(Math.max(schema.minLength ?? 0, 4));
    case 'integer':
    case 'number':
      return Math.min(Math.max(schema.minimum ?? 1, 1), schema.maximum ?? Number.MAX_SAFE_INTEGER);
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items ?? {}, name, ids, seq));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const r of schema.required ?? []) out[r] = sample(schema.properties?.[r] ?? {}, r, ids, seq);
      return out;
    }
    case undefined:
    default:
      return {};
  }
}

let sequence = 0;
export const seq = () => ++sequence;

/** The valid input of `op` for the customer whose `ids` these are: required fields and path parameters only. */
export function skeleton(op: Op, ids: Ids): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(op.schema.properties ?? {})) {
    if ((op.schema.required ?? []).includes(name) || op.where[name] === 'path') out[name] = sample(s, name, ids, seq);
  }
  // The catalog entry an event-type operation reads, changes or archives: this batch's own.
  if (op.procedure.startsWith('eventTypes.') && op.procedure !== 'eventTypes.create' && 'name' in out)
    out.name = ids.name;
  // A customer key acts for its own customer; a platform key must name one (customer-scoped creates).
  if (op.platformOnly && op.schema.properties?.customerId && out.customerId === undefined && !op.where.customerId)
    out.customerId = ids.cus;
  return out;
}

/** Applies a mutation to a copy of `base`: the broken field's name, for the check that a 400 names it. */
export function mutate(
  op: Op,
  base: Record<string, unknown>,
  m: Mutation,
): { input: Record<string, unknown>; field?: string; value?: unknown; dropped?: boolean } {
  const input = structuredClone(base);
  const fields = Object.keys(op.schema.properties ?? {});
  if (m.kind === 'field' && fields.length) {
    const field = fields[m.pick % fields.length]!;
    const s = op.schema.properties![field]!;
    const current = input[field];
    if (m.descend && Array.isArray(current)) {
      input[field] = [m.value, ...current.slice(1)];
      return { input, field: `${field}.0`, value: m.value };
    }
    if (m.descend && s.properties && Object.keys(s.properties).length) {
      const inner = Object.keys(s.properties)[m.pick % Object.keys(s.properties).length]!;
      input[field] = { ...(current && typeof current === 'object' ? current : {}), [inner]: m.value };
      return { input, field: `${field}.${inner}`, value: m.value };
    }
    input[field] = m.value;
    return { input, field, value: m.value };
  }
  if (m.kind === 'drop') {
    const required = (op.schema.required ?? []).filter((r) => op.where[r] !== 'path');
    if (required.length) {
      const field = required[m.pick % required.length]!;
      delete input[field];
      return { input, field, dropped: true };
    }
  }
  if (m.kind === 'unknown' && m.name !== '' && !(m.name in (op.schema.properties ?? {}))) {
    // Defined as an own property even for `__proto__`.
    Object.defineProperty(input, m.name, { value: m.value, enumerable: true, writable: true, configurable: true });
    return { input, field: m.name, value: m.value };
  }
  return { input };
}
