import { describe, expect, it } from 'vitest';
import { retainedFrom } from './limits';

describe('retainedFrom: the first UTC day the stored-bytes quota counts', () => {
  it('is RETENTION_DAYS days back, today included', () => {
    expect(retainedFrom(new Date('2026-12-07T10:00:00Z'), 30)).toBe('2026-11-08');
    expect(retainedFrom(new Date('2026-12-07T23:59:59Z'), 7)).toBe('2026-12-01');
    expect(retainedFrom(new Date('2026-03-01T00:00:00Z'), 2)).toBe('2026-02-28');
  });

  it('counts a part of a day as a whole day, and always at least today', () => {
    expect(retainedFrom(new Date('2026-12-07T10:00:00Z'), 1.5)).toBe('2026-12-06');
    expect(retainedFrom(new Date('2026-12-07T10:00:00Z'), 1)).toBe('2026-12-07');
    expect(retainedFrom(new Date('2026-12-07T10:00:00Z'), 0.1)).toBe('2026-12-07');
  });
});
