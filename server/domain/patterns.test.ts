import { describe, expect, it } from 'vitest';
import { firstMatch, matchesAny, matchesPattern, validateEventType, validatePattern } from './patterns';

/** The filter table of PRODUCT.md requirement 4, row by row. */
const table: Array<[pattern: string, type: string, matches: boolean]> = [
  ['charge.succeeded', 'charge.succeeded', true],
  ['charge.succeeded', 'charge.failed', false],
  ['charge.succeeded', 'charge.succeeded.late', false],
  ['charge.succeeded', 'charge', false],
  ['charge.*', 'charge.succeeded', true],
  ['charge.*', 'charge.failed', true],
  ['charge.*', 'charge.refund.created', false],
  ['charge.*', 'charge', false],
  ['charge.*', 'invoice.paid', false],
  ['charge.**', 'charge.succeeded', true],
  ['charge.**', 'charge.refund.created', true],
  ['charge.**', 'charge.refund.created.v2', true],
  ['charge.**', 'charge', false],
  ['charge.**', 'chargeback.opened', false],
  ['charge.**', 'invoice.charge.created', false],
  ['*', 'charge.succeeded', true],
  ['*', 'a', true],
  ['*', 'charge.refund.created', true],
  ['*.created', 'invoice.created', true],
  ['*.created', 'charge.refund.created', false],
  ['charge.*.created', 'charge.refund.created', true],
  ['charge.*.created', 'charge.refund.updated', false],
  ['invoice.**', 'charge.succeeded', false],
];

describe('matchesPattern', () => {
  it.each(table)('%s vs %s → %s', (pattern, type, expected) => {
    expect(validatePattern(pattern)).toBeNull();
    expect(matchesPattern(pattern, type)).toBe(expected);
  });

  it('is case-sensitive: types are identifiers, not words', () => {
    expect(matchesPattern('charge.succeeded', 'Charge.succeeded')).toBe(false);
  });

  it('matchesAny and firstMatch pick the first matching pattern of a list', () => {
    const patterns = ['invoice.paid', 'charge.*', 'charge.**'];
    expect(matchesAny(patterns, 'charge.failed')).toBe(true);
    expect(firstMatch(patterns, 'charge.failed')).toBe('charge.*');
    expect(firstMatch(patterns, 'charge.refund.created')).toBe('charge.**');
    expect(matchesAny(patterns, 'customer.created')).toBe(false);
    expect(firstMatch(patterns, 'customer.created')).toBeNull();
    expect(matchesAny([], 'charge.failed')).toBe(false);
  });
});

describe('validatePattern', () => {
  it.each([
    ['', /1 to 200 characters/],
    ['x'.repeat(201), /1 to 200 characters/],
    ['**', /only allowed as the last segment/],
    ['**.created', /only allowed as the last segment/],
    ['charge.**.created', /only allowed as the last segment/],
    ['charge.', /segment "" must be/],
    ['.charge', /segment "" must be/],
    ['charge..succeeded', /segment "" must be/],
    ['charge.succ*', /segment "succ\*" must be/],
    ['charge succeeded', /segment "charge succeeded" must be/],
    ['charge.***', /segment "\*\*\*" must be/],
    ['charge/succeeded', /must be letters, digits/],
  ])('refuses %j with a reason', (pattern, reason) => {
    expect(validatePattern(pattern)).toMatch(reason);
  });

  it.each(['*', 'charge.succeeded', 'charge.*', 'charge.**', '*.created', 'a.*.c', 'order_v2.line-item.added'])(
    'accepts %j',
    (pattern) => {
      expect(validatePattern(pattern)).toBeNull();
    },
  );
});

describe('validateEventType', () => {
  it.each(['charge.succeeded', 'a', 'order_v2.line-item.added', 'x'.repeat(200)])('accepts %j', (type) => {
    expect(validateEventType(type)).toBeNull();
  });

  it.each([
    ['', /1 to 200 characters/],
    ['x'.repeat(201), /1 to 200 characters/],
    ['charge.*', /dot-separated segments/],
    ['charge..succeeded', /dot-separated segments/],
    ['charge.', /dot-separated segments/],
    ['charge succeeded', /dot-separated segments/],
  ])('refuses %j with a reason', (type, reason) => {
    expect(validateEventType(type)).toMatch(reason);
  });
});
