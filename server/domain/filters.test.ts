import { describe, expect, it } from 'vitest';
import { FILTER_LIMITS, validateFilter } from './filter-validation';
import { evaluateFilter, jsonEqual, resolvePath, type Filter } from './filters';

const body = {
  id: 'evt_01JZ3K8Q9V7W2X4Y6A8B0C2D4E',
  type: 'order.created',
  timestamp: '2026-03-01T12:00:00.000Z',
  data: {
    amount: 250,
    currency: 'eur',
    note: null,
    vip: false,
    customer: { country: 'FR', email: 'ada@example.com', tags: ['beta', 'wholesale'] },
    items: [
      { sku: 'A-1', qty: 2 },
      { sku: 'B-7', qty: 1 },
    ],
    meta: { source: 'api', version: 2 },
  },
};

const holds = (f: Filter) => evaluateFilter(f, body);

describe('evaluateFilter: literals', () => {
  it.each<[Filter, boolean]>([
    [{}, true],
    [{ 'data.currency': 'eur' }, true],
    [{ 'data.currency': 'EUR' }, false],
    [{ 'data.amount': 250 }, true],
    [{ 'data.amount': '250' }, false],
    [{ 'data.customer.country': 'FR' }, true],
    [{ 'data.customer.country': 'FR', 'data.currency': 'usd' }, false],
    [{ type: 'order.created' }, true],
    [{ 'data.note': null }, true],
    [{ 'data.missing': null }, false],
    [{ 'data.vip': false }, true],
    [{ 'data.vip': 0 }, false],
    [{ 'data.customer.tags': ['beta', 'wholesale'] }, true],
    [{ 'data.customer.tags': ['wholesale', 'beta'] }, false],
    [{ 'data.customer.tags': 'beta' }, false],
    [{ 'data.meta': { version: 2, source: 'api' } }, true],
    [{ 'data.meta': { source: 'api' } }, false],
    [{ 'data.items.1.sku': 'B-7' }, true],
    [{ 'data.items.2.sku': 'B-7' }, false],
  ])('%j → %s', (f, expected) => {
    expect(validateFilter(f)).toEqual([]);
    expect(holds(f).matches).toBe(expected);
  });
});

describe('evaluateFilter: operators', () => {
  it.each<[Filter, boolean]>([
    [{ 'data.amount': { $eq: 250 } }, true],
    [{ 'data.amount': { $ne: 250 } }, false],
    [{ 'data.amount': { $gt: 249 } }, true],
    [{ 'data.amount': { $gt: 250 } }, false],
    [{ 'data.amount': { $gte: 250 } }, true],
    [{ 'data.amount': { $lt: 251 } }, true],
    [{ 'data.amount': { $lte: 249 } }, false],
    [{ 'data.amount': { $gte: 100, $lt: 300 } }, true],
    [{ 'data.amount': { $gte: 100, $lt: 200 } }, false],
    [{ 'data.currency': { $in: ['usd', 'eur'] } }, true],
    [{ 'data.currency': { $in: [] } }, false],
    [{ 'data.currency': { $nin: ['usd', 'gbp'] } }, true],
    [{ 'data.currency': { $nin: ['eur'] } }, false],
    [{ 'data.meta': { $in: [{ source: 'api', version: 2 }] } }, true],
    [{ 'data.note': { $exists: true } }, true],
    [{ 'data.nope': { $exists: false } }, true],
    [{ 'data.nope': { $exists: true } }, false],
    [{ 'data.customer.email': { $endsWith: '@example.com' } }, true],
    [{ 'data.customer.email': { $startsWith: 'ada@' } }, true],
    [{ 'data.customer.email': { $startsWith: 'bob@' } }, false],
    [{ 'data.customer.email': { $contains: 'example' } }, true],
    [{ 'data.customer.tags': { $contains: 'beta' } }, true],
    [{ 'data.customer.tags': { $contains: 'retail' } }, false],
    [{ 'data.items': { $contains: { qty: 1, sku: 'B-7' } } }, true],
    [{ 'data.items': { $contains: { sku: 'B-7' } } }, false],
    [{ timestamp: { $gte: '2026-01-01T00:00:00Z' } }, true],
    [{ timestamp: { $lt: '2026-01-01T00:00:00Z' } }, false],
    [{ type: { $startsWith: 'order.' } }, true],
    [{ 'data.amount': { $not: { $gt: 1000 } } }, true],
    [{ 'data.amount': { $not: { $gt: 100 } } }, false],
  ])('%j → %s', (f, expected) => {
    expect(validateFilter(f)).toEqual([]);
    expect(holds(f).matches).toBe(expected);
  });

  it('compares only numbers with numbers and strings with strings', () => {
    expect(holds({ 'data.amount': { $gt: '100' } }).matches).toBe(false);
    expect(holds({ 'data.amount': { $lt: '1000' } }).matches).toBe(false);
    expect(holds({ 'data.currency': { $gt: 5 } }).matches).toBe(false);
    expect(holds({ 'data.customer': { $gt: 0 } }).matches).toBe(false);
    expect(holds({ 'data.note': { $lte: 0 } }).matches).toBe(false);
    expect(holds({ 'data.currency': { $gt: 'abc' } }).matches).toBe(true);
  });

  it('string operators fail on what is not a string, and $contains on a number', () => {
    expect(holds({ 'data.amount': { $startsWith: '2' } }).matches).toBe(false);
    expect(holds({ 'data.customer.tags': { $endsWith: 'sale' } }).matches).toBe(false);
    expect(holds({ 'data.amount': { $contains: 5 } }).matches).toBe(false);
    expect(holds({ 'data.customer.email': { $contains: 5 } }).matches).toBe(false);
  });

  it('a missing field equals nothing: $eq, $in, comparisons and string tests fail; $ne and $nin hold', () => {
    for (const op of ['$eq', '$gt', '$gte', '$lt', '$lte', '$startsWith', '$endsWith', '$contains'] as const) {
      const operand = op === '$startsWith' || op === '$endsWith' ? 'x' : 0;
      expect(holds({ 'data.missing': { [op]: operand } }), op).toEqual({
        matches: false,
        failed: `data.missing ${op} ${JSON.stringify(operand)} (missing)`,
      });
    }
    expect(holds({ 'data.missing': { $in: [null] } }).matches).toBe(false);
    expect(holds({ 'data.missing': { $ne: 1 } }).matches).toBe(true);
    expect(holds({ 'data.missing': { $nin: [1] } }).matches).toBe(true);
    expect(holds({ 'data.customer.country.code': 'FR' }).matches).toBe(false);
    expect(holds({ 'data.amount.value': { $exists: true } }).matches).toBe(false);
  });

  it('does not read inherited properties', () => {
    expect(holds({ 'data.constructor': { $exists: true } }).matches).toBe(false);
    expect(holds({ 'data.__proto__': { $exists: true } }).matches).toBe(false);
    expect(holds({ 'data.customer.tags.length': 2 }).matches).toBe(false);
  });
});

describe('evaluateFilter: $and, $or, $not', () => {
  it('combines conditions', () => {
    expect(holds({ $and: [{ 'data.currency': 'eur' }, { 'data.amount': { $gt: 100 } }] }).matches).toBe(true);
    expect(holds({ $and: [{ 'data.currency': 'eur' }, { 'data.amount': { $gt: 1000 } }] })).toEqual({
      matches: false,
      failed: 'data.amount $gt 1000 (was 250)',
    });
    expect(holds({ $or: [{ 'data.currency': 'usd' }, { 'data.customer.country': 'FR' }] }).matches).toBe(true);
    expect(holds({ $not: { 'data.currency': 'usd' } }).matches).toBe(true);
    expect(holds({ $not: { 'data.currency': 'eur' } })).toEqual({
      matches: false,
      failed: '$not: {"data.currency":"eur"} held',
    });
  });

  it('names every failed branch of an $or', () => {
    expect(holds({ $or: [{ 'data.currency': 'usd' }, { 'data.vip': true }] })).toEqual({
      matches: false,
      failed: '$or: no branch held (data.currency $eq "usd" (was "eur"); data.vip $eq true (was false))',
    });
  });

  it('nests $not inside $or inside $and', () => {
    const f: Filter = {
      $and: [
        { type: { $startsWith: 'order.' } },
        { $or: [{ $not: { 'data.customer.country': { $in: ['FR', 'DE'] } } }, { 'data.amount': { $gte: 200 } }] },
      ],
    };
    expect(validateFilter(f)).toEqual([]);
    expect(holds(f).matches).toBe(true);
    const stricter: Filter = {
      $and: [{ $or: [{ $not: { 'data.customer.country': { $in: ['FR'] } } }, { 'data.amount': { $gte: 300 } }] }],
    };
    expect(holds(stricter)).toEqual({
      matches: false,
      failed:
        '$or: no branch held ($not: {"data.customer.country":{"$in":["FR"]}} held; data.amount $gte 300 (was 250))',
    });
  });

  it('reports the first failed condition of a plain filter, with the value it saw', () => {
    expect(holds({ 'data.currency': 'eur', 'data.amount': { $gte: 1000 }, 'data.vip': true })).toEqual({
      matches: false,
      failed: 'data.amount $gte 1000 (was 250)',
    });
    expect(holds({ 'data.customer': { country: 'DE' } }).failed).toBe(
      'data.customer $eq {"country":"DE"} (was {"country":"FR","email":"ada@example.com","tags":["beta","w…)',
    );
  });

  it('works on any body: null data, arrays, scalars', () => {
    expect(evaluateFilter({ 'data.a': { $exists: false } }, { data: null }).matches).toBe(true);
    expect(evaluateFilter({ 'data.0': 1 }, { data: [1, 2] }).matches).toBe(true);
    expect(evaluateFilter({ data: { $contains: 2 } }, { data: [1, 2] }).matches).toBe(true);
    expect(evaluateFilter({ data: 'x' }, { data: 'x' }).matches).toBe(true);
    expect(evaluateFilter({ 'data.a': 1 }, 'not an object').matches).toBe(false);
  });
});

describe('validateFilter', () => {
  const reasons = (f: unknown) => validateFilter(f);

  it('wants an object', () => {
    expect(reasons([])).toEqual([{ path: '', reason: 'must be a JSON object of conditions, not an array' }]);
    expect(reasons('data.amount > 5')).toEqual([
      { path: '', reason: 'must be a JSON object of conditions, not a string' },
    ]);
    expect(reasons(null)).toEqual([{ path: '', reason: 'must be a JSON object of conditions, not null' }]);
  });

  it('names the path and the operator of a bad operand', () => {
    expect(reasons({ 'data.amount': { $gt: true } })).toEqual([
      { path: 'data.amount', reason: '"$gt" takes a number or a string, not a boolean' },
    ]);
    expect(reasons({ 'data.amount': { $in: 5 } })).toEqual([
      { path: 'data.amount', reason: '"$in" takes an array of values, not a number' },
    ]);
    expect(reasons({ 'data.amount': { $exists: 'yes' } })).toEqual([
      { path: 'data.amount', reason: '"$exists" takes true or false, not a string' },
    ]);
    expect(reasons({ 'data.email': { $startsWith: 1 } })).toEqual([
      { path: 'data.email', reason: '"$startsWith" takes a string, not a number' },
    ]);
    expect(reasons({ 'data.amount': { $not: 5 } })).toEqual([
      {
        path: 'data.amount',
        reason: '"$not" on a field takes an operator object, e.g. {"$not": {"$gt": 5}}, not a number',
      },
    ]);
  });

  it('refuses unknown operators, wherever they are', () => {
    expect(reasons({ 'data.amount': { $regex: 'x' } })).toEqual([
      { path: 'data.amount', reason: expect.stringContaining('unknown operator "$regex"') },
    ]);
    expect(reasons({ $nor: [] })).toEqual([
      { path: '$nor', reason: 'unknown operator "$nor" (top level: $and, $or, $not)' },
    ]);
    expect(reasons({ $gt: 5 })).toEqual([
      { path: '$gt', reason: '"$gt" applies to a field: write {"data.amount": {"$gt": …}}' },
    ]);
    expect(reasons({ $or: [{ 'data.a': 1 }, { 'data.b': { $like: 'x' } }] })).toEqual([
      { path: '$or[1].data.b', reason: expect.stringContaining('unknown operator "$like"') },
    ]);
  });

  it('refuses an operator object that also holds fields', () => {
    expect(reasons({ 'data.meta': { $exists: true, source: 'api' } })).toEqual([
      { path: 'data.meta', reason: expect.stringContaining('mixes operators and fields ("source")') },
    ]);
  });

  it('wants paths into the delivered body', () => {
    expect(reasons({ amount: 5 })).toEqual([
      {
        path: 'amount',
        reason: 'path "amount" must start with id, type, timestamp, data (the event\'s data is under "data.")',
      },
    ]);
    expect(reasons({ 'data..amount': 5 })).toEqual([
      { path: 'data..amount', reason: 'path "data..amount" has an empty segment' },
    ]);
    expect(reasons({ '': 5 })[0]!.reason).toContain('empty segment');
  });

  it('checks $and, $or and $not', () => {
    expect(reasons({ $and: [] })).toEqual([
      { path: '$and', reason: '"$and" takes a non-empty array of conditions, not an empty array' },
    ]);
    expect(reasons({ $or: { 'data.a': 1 } })).toEqual([
      { path: '$or', reason: '"$or" takes a non-empty array of conditions, not an object' },
    ]);
    expect(reasons({ $or: [1] })).toEqual([
      { path: '$or[0]', reason: 'must be an object of conditions, not a number' },
    ]);
    expect(reasons({ $not: [] })).toEqual([
      { path: '$not', reason: '"$not" takes an object of conditions, not an array' },
    ]);
    expect(reasons({ $not: {} })).toEqual([
      { path: '$not', reason: '"$not" takes an object of conditions, not an empty object' },
    ]);
  });

  it('lists every problem at once', () => {
    expect(
      reasons({ amount: 1, 'data.a': { $gt: null }, $or: [{ 'data.b': { $in: 'x' } }] }).map((i) => i.path),
    ).toEqual(['amount', 'data.a', '$or[0].data.b']);
  });

  it(`limits depth to ${FILTER_LIMITS.depth} levels of $and, $or and $not`, () => {
    let ok: Filter = { 'data.a': 1 };
    for (let i = 0; i < FILTER_LIMITS.depth; i++) ok = i % 2 ? { $not: ok } : { $and: [ok] };
    expect(reasons(ok)).toEqual([]);
    expect(reasons({ $or: [ok] })).toEqual([
      { path: '', reason: 'nests too deeply (at most 8 levels of $and, $or and $not)' },
    ]);
  });

  it('survives a filter nested far beyond the limit without overflowing the stack', () => {
    let deep: Filter = { 'data.a': 1 };
    for (let i = 0; i < 100_000; i++) deep = { $not: deep };
    expect(reasons(deep)).toEqual([{ path: '', reason: expect.stringContaining('nests too deeply') }]);
  });

  it(`limits the size to ${FILTER_LIMITS.bytes} bytes and the conditions to ${FILTER_LIMITS.conditions}`, () => {
    expect(reasons({ 'data.a': { $in: Array.from({ length: 1000 }, (_, i) => `value-${i}`) } })).toEqual([
      { path: '', reason: expect.stringMatching(/^is \d+ bytes serialised, above the limit of 4096$/) },
    ]);
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`data.f${i}`, i]));
    expect(reasons(many)).toEqual([{ path: '', reason: 'has 51 conditions, above the limit of 50' }]);
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`data.f${i}`, i]));
    expect(reasons(fifty)).toEqual([]);
  });
});

describe('helpers', () => {
  it('resolvePath walks objects and array indexes', () => {
    expect(resolvePath(body, 'data.items.0.qty')).toEqual({ found: true, value: 2 });
    expect(resolvePath(body, 'data.items.x')).toEqual({ found: false });
    expect(resolvePath(body, 'data.note')).toEqual({ found: true, value: null });
  });

  it('jsonEqual compares by value', () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
  });
});
