import { describe, expect, it } from 'vitest';
import { matchesPattern } from './patterns';
import { patternRegex } from './type-filter';

/** The SQL filter must select exactly what a subscription with the same pattern receives. */
describe('patternRegex', () => {
  const types = [
    'charge',
    'charge.succeeded',
    'charge.failed',
    'charge.refund.created',
    'charged.x',
    'invoice.paid',
    'a-b_c.D9',
    'charge.refund',
    'x.charge.succeeded',
  ];
  const patterns = [
    'charge.succeeded',
    'charge.*',
    'charge.**',
    '*.paid',
    '*.*',
    'charge.*.created',
    'a-b_c.*',
    'charge',
  ];

  for (const pattern of patterns) {
    it(`agrees with matchesPattern for ${pattern}`, () => {
      const re = new RegExp(patternRegex(pattern)!);
      for (const type of types) expect(re.test(type), `${pattern} vs ${type}`).toBe(matchesPattern(pattern, type));
    });
  }

  it('treats "*" alone as no filter', () => {
    expect(patternRegex('*')).toBeNull();
  });

  it('does not let a dot in the pattern match any character', () => {
    expect(new RegExp(patternRegex('charge.*')!).test('chargeXsucceeded')).toBe(false);
  });
});
