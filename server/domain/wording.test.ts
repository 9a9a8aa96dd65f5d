import { describe, expect, it } from 'vitest';
import { formatDuration, withArticle } from './wording';

describe('formatDuration', () => {
  it.each([
    [0, '1 second'],
    [1, '1 second'],
    [0.2, '1 second'],
    [45, '45 seconds'],
    [59, '59 seconds'],
    [60, '1 minute'],
    [61, '2 minutes'],
    [884, '15 minutes'],
    [900, '15 minutes'],
    [3599, '1 hour'],
    [3600, '1 hour'],
    [5400, '1 hour 30 minutes'],
    [7200, '2 hours'],
  ])('%d s reads "%s"', (s, text) => expect(formatDuration(s)).toBe(text));
});

describe('withArticle', () => {
  it.each([
    ['event', 'an event'],
    ['attempt', 'an attempt'],
    ['audit entry', 'an audit entry'],
    ['operational webhook', 'an operational webhook'],
    ['API key', 'an API key'],
    ['error', 'an error'],
    ['subscription', 'a subscription'],
    ['delivery', 'a delivery'],
    ['customer', 'a customer'],
    ['user', 'a user'],
    ['string', 'a string'],
    ['number', 'a number'],
    ['undefined', 'an undefined'],
  ])('%s → %s', (noun, text) => expect(withArticle(noun)).toBe(text));
});
