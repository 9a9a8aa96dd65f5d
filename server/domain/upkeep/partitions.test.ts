import { describe, expect, it } from 'vitest';
import { rangesToCreate, suffixOf } from './partitions';

const DAY = 86_400_000;
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

describe('rangesToCreate', () => {
  const now = day('2026-11-29') + 15 * 3600_000;

  it('makes the range holding now and the ones ahead, a day each, starting at UTC midnight', () => {
    expect(rangesToCreate([], now, 1, 2)).toEqual([
      { from: day('2026-11-29'), to: day('2026-11-30') },
      { from: day('2026-11-30'), to: day('2026-12-01') },
      { from: day('2026-12-01'), to: day('2026-12-02') },
    ]);
  });

  it('makes nothing that exists, and only the missing ranges', () => {
    const existing = [{ from: day('2026-11-29'), to: day('2026-11-30') }];
    expect(rangesToCreate(existing, now, 1, 1)).toEqual([{ from: day('2026-11-30'), to: day('2026-12-01') }]);
    expect(rangesToCreate([...existing, { from: day('2026-11-30'), to: day('2026-12-01') }], now, 1, 1)).toEqual([]);
  });

  it('after an interval change, fills around existing ranges without overlapping them', () => {
    // Weekly ranges existed; now daily: the week in progress stays, days follow it.
    const week = { from: day('2026-11-26'), to: day('2026-12-03') };
    expect(rangesToCreate([week], now, 1, 4)).toEqual([{ from: day('2026-12-03'), to: day('2026-12-04') }]);
    // Daily ranges existed; now weekly (aligned on multiples of 7 days since the epoch): the gap up
    // to an existing later range is cut short rather than overlapping it.
    const later = { from: day('2026-12-10'), to: day('2026-12-11') };
    const ranges = rangesToCreate([later], now, 7, 2);
    for (const r of ranges) expect(r.to <= later.from || r.from >= later.to).toBe(true);
    expect(ranges[0]!.from).toBeLessThanOrEqual(now);
    expect(ranges.at(-1)!.to).toBeGreaterThan(now + 14 * DAY);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.from).toBeGreaterThanOrEqual(ranges[i - 1]!.to);
  });
});

describe('suffixOf', () => {
  it('names a range by its UTC start day', () => {
    expect(suffixOf(day('2026-01-05'))).toBe('p20260105');
  });
});
