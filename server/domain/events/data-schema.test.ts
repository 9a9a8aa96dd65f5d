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
    const issues = compileDataSchema(order)({ amount: -1, email: 'nope', extra: 1, 'a/b': 2, items: [{ sku: 'ok' }, { sku: 3 }, {}] });
    expect(issues).toEqual(
      expect.arrayContaining([
        { field: 'data.amount', pointer: '/amount', reason: '/amount must be >= 0' },
        { field: 'data.currency', pointer: '/currency', reason: '/currency is required' },
        { field: 'data.extra', pointer: '/extra', reason: '/extra is not allowed by the schema (additionalProperties)' },
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
    expect(reason({ type: 'string', pattern: '(' })).toContain('Invalid regular expression');
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
