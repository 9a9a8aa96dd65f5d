import { describe, expect, it } from 'vitest';
import { breakerSignal, unhealthyStep } from './breaker';

const now = new Date('2026-01-01T12:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const COOL = 30_000;

describe('unhealthyStep', () => {
  it('keeps a closed breaker closed below the threshold, and opens it with one cool-down at it', () => {
    expect(unhealthyStep({ state: 'closed', failures: 3, openedAt: null, probeAt: null }, now, COOL, 5)).toEqual({
      state: 'closed',
      openedAt: null,
      probeAt: null,
    });
    expect(unhealthyStep({ state: 'closed', failures: 4, openedAt: null, probeAt: null }, now, COOL, 5)).toEqual({
      state: 'open',
      openedAt: now,
      probeAt: at(COOL),
    });
  });

  it('re-opens a half-open breaker whose probe failed, doubling the time since it opened, between one and four cool-downs', () => {
    const opened = (ago: number) => ({ state: 'half_open' as const, failures: 5, openedAt: at(-ago), probeAt: null });
    expect(unhealthyStep(opened(10_000), now, COOL, 5).probeAt).toEqual(at(COOL));
    expect(unhealthyStep(opened(40_000), now, COOL, 5).probeAt).toEqual(at(80_000));
    expect(unhealthyStep(opened(600_000), now, COOL, 5)).toMatchObject({
      state: 'open',
      probeAt: at(4 * COOL),
      openedAt: at(-600_000),
    });
  });

  it('leaves an open breaker as it is (an attempt that was already in flight)', () => {
    const open = { state: 'open' as const, failures: 9, openedAt: at(-5000), probeAt: at(25_000) };
    expect(unhealthyStep(open, now, COOL, 5)).toEqual({
      state: 'open',
      openedAt: open.openedAt,
      probeAt: open.probeAt,
    });
  });
});

describe('breakerSignal', () => {
  it('an answer says how the endpoint is; a refused target or a cancelled attempt ends without a retry (healthy); a failing transform counts against it', () => {
    expect(breakerSignal({ kind: 'response', status: 200 })).toBe('healthy');
    expect(breakerSignal({ kind: 'response', status: 503 })).toBe('unhealthy');
    expect(breakerSignal({ kind: 'error', errorClass: 'timeout', message: '' })).toBe('unhealthy');
    expect(breakerSignal({ kind: 'error', errorClass: 'blocked_target', message: '' })).toBe('healthy');
    expect(breakerSignal({ kind: 'error', errorClass: 'cancelled', message: '' })).toBe('healthy');
    expect(breakerSignal({ kind: 'error', errorClass: 'transform', message: '' })).toBe('unhealthy');
  });
});
