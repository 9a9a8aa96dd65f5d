import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  asDoubles,
  compareJsonNumbers,
  jsonProblem,
  JsonInputError,
  MAX_JSON_DEPTH,
  parseJsonExact,
  parseJsonInput,
  text,
} from './json';

const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('parseJsonInput', () => {
  it('keeps the exact text of numbers a JavaScript number would change, and JSON.stringify writes it back', () => {
    const src =
      '{"orderId":9007199254740993,"huge":1e400,"long":12345678901234567890123,"one":1.0,"neg":-0,"plain":42,"f":0.5}';
    expect(JSON.stringify(parseJsonInput(src))).toBe(src);
    expect(JSON.stringify(parseJsonExact(src))).toBe(src);
  });

  it('refuses nesting deeper than 64 levels without recursing, even 100,000 levels', () => {
    expect(() => parseJsonInput(nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => parseJsonInput(nested(MAX_JSON_DEPTH + 1))).toThrow(/more than 64 levels/);
    expect(() => parseJsonInput(nested(100_000))).toThrow(JsonInputError);
    // Brackets inside strings do not count.
    expect(() => parseJsonInput(JSON.stringify({ s: '['.repeat(1000) }))).not.toThrow();
  });

  it('refuses what is not JSON', () => {
    expect(() => parseJsonInput('{"a": }')).toThrow(/not valid JSON/);
  });
});

describe('jsonProblem', () => {
  it('finds NUL and lone surrogates in strings and keys, naming the JSON pointer', () => {
    const at = (src: string) => jsonProblem(parseJsonInput(src));
    expect(at('{"a":{"b":["ok","x\\u0000y"]}}')).toEqual({ pointer: '/a/b/1', reason: expect.stringMatching(/NUL/) });
    expect(at('{"a/b":"\\ud800"}')).toEqual({ pointer: '/a~1b', reason: expect.stringMatching(/lone surrogate/) });
    expect(at('{"k\\u0000":1}')).toMatchObject({ pointer: '/k\u0000' });
    expect(at('{"pair":"\\ud83d\\ude00","n":9007199254740993}')).toBeNull();
  });

  it('walks a value 100,000 levels deep without overflowing', () => {
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = [v];
    expect(jsonProblem(v)?.reason).toMatch(/more than 64 levels/);
  });
});

describe('text()', () => {
  it('refuses NUL and lone surrogates with a reason, and takes everything else', () => {
    const s = text().max(10);
    expect(s.safeParse('a\u0000b').error?.issues[0]?.message).toMatch(/NUL/);
    expect(s.safeParse('\udc00').error?.issues[0]?.message).toMatch(/lone surrogate/);
    expect(s.parse('héllo 😀')).toBe('héllo 😀');
    expect(z.strictObject({ name: text() }).safeParse({ name: 'x\u0000' }).error?.issues[0]?.path).toEqual(['name']);
  });
});

describe('compareJsonNumbers', () => {
  const n = (s: string) => parseJsonExact(s) as number;
  it('compares by exact decimal value', () => {
    expect(compareJsonNumbers(n('9007199254740993'), n('9007199254740992'))).toBe(1);
    expect(compareJsonNumbers(n('9007199254740993'), n('9007199254740993'))).toBe(0);
    expect(compareJsonNumbers(n('1.0'), 1)).toBe(0);
    expect(compareJsonNumbers(n('-0'), 0)).toBe(0);
    expect(compareJsonNumbers(n('1e400'), Number.MAX_VALUE)).toBe(1);
    expect(compareJsonNumbers(n('-1e400'), -5)).toBe(-1);
    expect(compareJsonNumbers(0.5, n('5e-1'))).toBe(0);
    expect(compareJsonNumbers(n('-12345678901234567890123'), n('-12345678901234567890124'))).toBe(1);
  });
});

describe('asDoubles', () => {
  it('turns kept numbers into the nearest doubles (huge ones into ±MAX_VALUE) and leaves other values alone', () => {
    const v = parseJsonExact('{"a":9007199254740993,"b":[1e400],"c":"x"}');
    expect(asDoubles(v)).toEqual({ a: 9007199254740992, b: [Number.MAX_VALUE], c: 'x' });
    const plain = { a: 1 };
    expect(asDoubles(plain)).toBe(plain);
  });
});
