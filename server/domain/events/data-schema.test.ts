import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { cachedValidator, compileDataSchema, validatorFor } from './data-schema';

const order = {
  type: 'object',
  required: ['amount', 'currency'],
  additionalProperties: false,
  properties: {
    amount: { type: 'integer', minimum: 0 },
    currency: { enum: ['eur', 'usd'] },
    email: { type: 'string', format: 'email' },
    'a/b': { type: 'string' },
    items: { type: 'array', items: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' } } } },
  },
};

describe('compileDataSchema', () => {
  it('accepts valid data', () => {
    expect(compileDataSchema(order)({ amount: 5, currency: 'eur', items: [{ sku: 'x' }] })).toEqual([]);
    expect(compileDataSchema(true)({ anything: 1 })).toEqual([]);
  });

  it('names the JSON pointer of every failing value', () => {
    const issues = compileDataSchema(order)({
      amount: -1,
      email: 'nope',
      extra: 1,
      'a/b': 2,
      items: [{ sku: 'ok' }, { sku: 3 }, {}],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { field: 'data.amount', pointer: '/amount', reason: '/amount must be >= 0' },
        { field: 'data.currency', pointer: '/currency', reason: '/currency is required' },
        {
          field: 'data.extra',
          pointer: '/extra',
          reason: '/extra is not allowed by the schema (additionalProperties)',
        },
        { field: 'data.email', pointer: '/email', reason: '/email must match format "email"' },
        { field: 'data.a/b', pointer: '/a~1b', reason: '/a~1b must be string' },
        { field: 'data.items.1.sku', pointer: '/items/1/sku', reason: '/items/1/sku must be string' },
        { field: 'data.items.2.sku', pointer: '/items/2/sku', reason: '/items/2/sku is required' },
      ]),
    );
    expect(issues).toHaveLength(7);
  });

  it('names the whole of data when it is the wrong kind', () => {
    expect(compileDataSchema(order)('a string')).toEqual([{ field: 'data', pointer: '', reason: '/ must be object' }]);
  });

  it('refuses what is not a JSON Schema, with the reason, including unknown keywords (strict)', () => {
    const reason = (schema: unknown) => {
      try {
        compileDataSchema(schema as never);
        return null;
      } catch (e) {
        expect(e).toBeInstanceOf(DomainError);
        return (e as DomainError).message;
      }
    };
    expect(reason({ type: 'nope' })).toMatch(/^schema is not a valid JSON Schema \(2020-12\): .*type/);
    expect(reason({ type: 'object', requried: ['a'] })).toContain('unknown keyword: "requried"');
    expect(reason({ $ref: 'https://example.com/remote.json' })).toContain("can't resolve reference");
    expect(reason({ type: 'string', pattern: '(' })).toMatch(
      /^schema\.pattern "\(" is not a regular expression the linear-time engine \(RE2\) accepts/,
    );
  });
});

describe('patterns', () => {
  const refusal = (schema: unknown) => {
    try {
      compileDataSchema(schema as never);
      return null;
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      return { field: (e as DomainError).field, message: (e as DomainError).message };
    }
  };

  it('run in linear time: a pattern that backtracks exponentially in JavaScript answers on a long input', () => {
    // `^(a|aa)+$` is exponential for a backtracking engine on "aaa…ab"; RE2 answers in one pass.
    const v = compileDataSchema({ type: 'string', pattern: '^(a|aa)+$' });
    expect(v('a'.repeat(50_000) + 'b')).toEqual([
      { field: 'data', pointer: '', reason: '/ must match pattern "^(a|aa)+$"' },
    ]);
    expect(v('a'.repeat(50_000))).toEqual([]);
    const keys = compileDataSchema({ type: 'object', patternProperties: { '^x(y|yy)+$': { type: 'integer' } } });
    expect(keys({ ['x' + 'y'.repeat(30_000) + 'z']: 'any', xyy: 1 })).toEqual([]);
    expect(keys({ xyy: 'no' })).toHaveLength(1);
  });

  it('keep their meaning (unanchored search, classes, unicode)', () => {
    const v = compileDataSchema({ type: 'string', pattern: '\\d{3}-[A-Z]+' });
    expect(v('order 123-AB here')).toEqual([]);
    expect(v('12-AB')).toHaveLength(1);
    expect(compileDataSchema({ type: 'string', pattern: '^\\p{L}+$' })('héllo')).toEqual([]);
  });

  it('that nest repetitions are refused, naming their place', () => {
    expect(refusal({ type: 'object', properties: { sku: { type: 'string', pattern: '^(a+)+$' } } })).toEqual({
      field: 'schema.properties.sku.pattern',
      message: expect.stringMatching(
        /^schema\.properties\.sku\.pattern "\^\(a\+\)\+\$" nests a repetition inside a repetition/,
      ),
    });
    expect(refusal({ allOf: [{ pattern: '(?:x\\w*)*' }] })?.field).toBe('schema.allOf.0.pattern');
    expect(refusal({ patternProperties: { '^(\\d+){2,}$': true } })?.field).toBe(
      'schema.patternProperties.^(\\d+){2,}$',
    );
    expect(refusal({ $defs: { pattern: { type: 'string', pattern: '((ab)*c)+' } } })?.field).toBe(
      'schema.$defs.pattern.pattern',
    );
  });

  it('that RE2 cannot run (look-around, back-references) are refused, naming their place', () => {
    expect(refusal({ properties: { a: { pattern: '^(?=x)' } } })?.field).toBe('schema.properties.a.pattern');
    expect(refusal({ properties: { a: { pattern: '(a)\\1' } } })?.field).toBe('schema.properties.a.pattern');
  });

  it('that repeat without nesting, and pattern-shaped data, are accepted', () => {
    for (const pattern of [
      '^[a-z]+(-[a-z]+)?$',
      '(ab)+',
      '(a+b)?',
      '^\\d+(\\.\\d{1,2})?$',
      '[(a+)+]',
      '\\(a+\\)+',
      '(a{1})+',
    ])
      expect(refusal({ type: 'string', pattern }), pattern).toBeNull();
    expect(refusal({ enum: [{ pattern: '(a+)+' }], default: { pattern: '(' } })).toBeNull();
  });

  it('that nest repetitions but were saved before the rule still validate at publish, in linear time', () => {
    const v = validatorFor('t.legacy', new Date('2026-01-01T00:00:00Z'), { type: 'string', pattern: '^(a+)+$' });
    expect(v('a'.repeat(50_000) + 'b')).toHaveLength(1);
    expect(v('aaa')).toEqual([]);
  });
});

describe('validatorFor', () => {
  it('compiles once per (name, updatedAt)', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(cachedValidator('t.cache', at)).toBeUndefined();
    const v = validatorFor('t.cache', at, { type: 'integer' });
    expect(validatorFor('t.cache', at, { type: 'string' })).toBe(v);
    expect(cachedValidator('t.cache', at)).toBe(v);
    const later = validatorFor('t.cache', new Date(at.getTime() + 1), { type: 'string' });
    expect(later('x')).toEqual([]);
    expect(v('x')).toHaveLength(1);
  });
});

describe('schemas with an $id', () => {
  it('compile again after a change or a failure (versions of one type never clash)', () => {
    const id = 'https://schemas.example/order.json';
    expect(() => compileDataSchema({ $id: id, type: 'nope' })).toThrow(DomainError);
    const v1 = compileDataSchema({ $id: id, type: 'integer' });
    const v2 = compileDataSchema({ $id: id, type: 'string' });
    expect([v1(1), v2('x')]).toEqual([[], []]);
    expect(v1('x')).toHaveLength(1);
  });
});
