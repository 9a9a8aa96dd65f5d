import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_SCHEDULE_SECONDS,
  JITTER,
  decide,
  isSuccess,
  parseRetryAfter,
  policyWindowSeconds,
  resolvePolicy,
  type AttemptOutcome,
  type DecideInput,
  type Decision,
  type RetryPolicy,
} from './retry-policy';

const DAY = 86400;
/** The largest value Math.random() can return, near enough: jitter +20% minus a rounding error. */
const MAX_R = 1 - 1e-12;
const T0 = new Date('2026-03-01T12:00:00Z');
const failed: AttemptOutcome = { kind: 'response', status: 500 };
const defaults = resolvePolicy(null);

function input(over: Partial<DecideInput> = {}): DecideInput {
  return {
    outcome: failed,
    attemptInCycle: 1,
    cycleStartedAt: T0,
    policy: defaults,
    now: T0,
    random: () => 0.5,
    timeScale: 1,
    ...over,
  };
}

function retryAt(d: Decision): Date {
  if (d.action !== 'retry') throw new Error(`expected a retry, got ${JSON.stringify(d)}`);
  return d.at;
}

/**
 * Runs a whole cycle against an endpoint that always fails, with a perfectly punctual worker: each
 * attempt happens at the time the previous decision asked for. Returns each attempt's time in
 * seconds after the first, and the final decision.
 */
function simulate(policy: RetryPolicy, random: () => number, timeScale = 1, outcome: AttemptOutcome = failed) {
  const times: number[] = [];
  let now = T0;
  for (let attempt = 1; ; attempt++) {
    times.push((now.getTime() - T0.getTime()) / 1000);
    const d = decide({ outcome, attemptInCycle: attempt, cycleStartedAt: T0, policy, now, random, timeScale });
    if (d.action !== 'retry') return { times, final: d };
    now = d.at;
  }
}

describe('default policy', () => {
  it('is 12 attempts: the first at once, then 11 delays that grow and sum to 24 hours', () => {
    expect(DEFAULT_MAX_ATTEMPTS).toBe(12);
    expect(defaults.maxAttempts).toBe(12);
    expect(DEFAULT_SCHEDULE_SECONDS).toHaveLength(11);
    for (let i = 1; i < DEFAULT_SCHEDULE_SECONDS.length; i++)
      expect(DEFAULT_SCHEDULE_SECONDS[i]!).toBeGreaterThan(DEFAULT_SCHEDULE_SECONDS[i - 1]!);
    expect(policyWindowSeconds(defaults)).toBe(DAY);
  });

  it('without jitter, attempts land on the cumulative schedule and the 12th exactly 24 h after the first', () => {
    const { times, final } = simulate(defaults, () => 0.5);
    expect(times).toHaveLength(12);
    let cumulative = 0;
    expect(times[0]).toBe(0);
    DEFAULT_SCHEDULE_SECONDS.forEach((delay, i) => {
      cumulative += delay;
      expect(times[i + 1]).toBeCloseTo(cumulative, 6);
    });
    expect(times[11]).toBeCloseTo(DAY, 6);
    expect(final).toEqual({ action: 'dead', reason: 'gave up after 12 attempts', cause: 'retries_exhausted' });
  });

  it.each([
    ['maximum (+20%)', () => MAX_R],
    ['minimum (-20%)', () => 0],
    [
      'alternating',
      (() => {
        let i = 0;
        return () => (i++ % 2 ? MAX_R : 0);
      })(),
    ],
  ])('with %s jitter: still 12 attempts, gaps grow, the last never later than 24 h after the first', (_, random) => {
    const { times, final } = simulate(defaults, random);
    expect(times).toHaveLength(12);
    expect(final.action).toBe('dead');
    for (let i = 2; i < times.length; i++)
      expect(times[i]! - times[i - 1]!).toBeGreaterThan(times[i - 1]! - times[i - 2]!);
    expect(times[11]!).toBeLessThanOrEqual(DAY);
    expect(times[11]!).toBeGreaterThanOrEqual(0.8 * DAY - 1e-6);
  });

  it('with maximum jitter the last attempt is clamped to exactly 24 h', () => {
    const { times } = simulate(defaults, () => MAX_R);
    expect(times[11]).toBe(DAY);
  });
});

describe('jitter', () => {
  it.each([
    [0, 1 - JITTER],
    [0.25, 1 - JITTER / 2],
    [0.5, 1],
    [0.75, 1 + JITTER / 2],
    [MAX_R, 1 + JITTER],
  ])('random() = %s multiplies the delay by %s', (r, factor) => {
    for (const [i, nominal] of DEFAULT_SCHEDULE_SECONDS.slice(0, 10).entries()) {
      const at = retryAt(decide(input({ attemptInCycle: i + 1, random: () => r })));
      expect((at.getTime() - T0.getTime()) / 1000).toBeCloseTo(nominal * factor, 2);
    }
  });

  it('stays within ±20% for any random value', () => {
    for (let k = 0; k <= 100; k++) {
      const r = Math.min(k / 100, MAX_R);
      const delay = (retryAt(decide(input({ attemptInCycle: 3, random: () => r }))).getTime() - T0.getTime()) / 1000;
      expect(delay).toBeGreaterThanOrEqual(90 * 0.8 - 1e-9);
      expect(delay).toBeLessThanOrEqual(90 * 1.2 + 1e-9);
    }
  });
});

describe('outcomes', () => {
  it.each([200, 201, 202, 204, 299])('%s is success, whatever the attempt', (status) => {
    expect(isSuccess({ kind: 'response', status })).toBe(true);
    expect(decide(input({ outcome: { kind: 'response', status }, attemptInCycle: 12 }))).toEqual({
      action: 'succeeded',
    });
  });

  it.each([301, 302, 304, 400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504])(
    '%s is retried',
    (status) => {
      expect(isSuccess({ kind: 'response', status })).toBe(false);
      expect(decide(input({ outcome: { kind: 'response', status } })).action).toBe('retry');
    },
  );

  it.each(['timeout', 'connection', 'dns', 'tls'])('error class %s is retried', (errorClass) => {
    const outcome: AttemptOutcome = { kind: 'error', errorClass, message: 'x' };
    expect(isSuccess(outcome)).toBe(false);
    expect(retryAt(decide(input({ outcome }))).getTime()).toBe(T0.getTime() + 10_000);
  });

  it('a target refused by the SSRF guard is dead at once: retrying cannot change the answer', () => {
    const outcome: AttemptOutcome = {
      kind: 'error',
      errorClass: 'blocked_target',
      message: 'localhost resolves to 127.0.0.1, a private address',
    };
    for (const attemptInCycle of [1, 5, 12]) {
      expect(decide(input({ outcome, attemptInCycle }))).toEqual({
        action: 'dead',
        reason: 'target refused: localhost resolves to 127.0.0.1, a private address',
        cause: 'target_refused',
      });
    }
  });

  it("an attempt the subscription's transform cancelled ends the delivery as done, on any attempt", () => {
    const outcome: AttemptOutcome = {
      kind: 'error',
      errorClass: 'cancelled',
      message: 'the transform cancelled this delivery: nothing was sent',
    };
    for (const attemptInCycle of [1, 12])
      expect(decide(input({ outcome, attemptInCycle }))).toEqual({ action: 'succeeded' });
  });

  it('a failing transform is retried like any failed attempt', () => {
    const outcome: AttemptOutcome = { kind: 'error', errorClass: 'transform', message: 'transform threw TypeError: x' };
    expect(retryAt(decide(input({ outcome }))).getTime()).toBe(T0.getTime() + 10_000);
    expect(decide(input({ outcome, attemptInCycle: 12 }))).toMatchObject({
      action: 'dead',
      cause: 'retries_exhausted',
    });
  });

  it('410 Gone disables the subscription instead of retrying, even on the last attempt', () => {
    expect(decide(input({ outcome: { kind: 'response', status: 410 } }))).toEqual({ action: 'gone' });
    expect(decide(input({ outcome: { kind: 'response', status: 410 }, attemptInCycle: 12 }))).toEqual({
      action: 'gone',
    });
  });

  it('dead-letters once the attempts are used up', () => {
    expect(decide(input({ attemptInCycle: 11 })).action).toBe('retry');
    expect(decide(input({ attemptInCycle: 12 }))).toEqual({
      action: 'dead',
      reason: 'gave up after 12 attempts',
      cause: 'retries_exhausted',
    });
    expect(decide(input({ attemptInCycle: 1, policy: { ...defaults, maxAttempts: 1 } }))).toMatchObject({
      reason: 'gave up after 1 attempt',
    });
  });
});

describe('Retry-After on 429 and 503', () => {
  const now = new Date(T0.getTime() + 60_000); // one minute into the cycle

  it.each([429, 503])('%s: delay-seconds are honoured exactly (no jitter)', (status) => {
    const at = retryAt(
      decide(input({ outcome: { kind: 'response', status, retryAfter: '120' }, now, random: () => 0 })),
    );
    expect(at.getTime()).toBe(now.getTime() + 120_000);
  });

  it.each([429, 503])('%s: an HTTP-date is honoured', (status) => {
    const retryAfter = new Date(now.getTime() + 3600_000).toUTCString();
    const at = retryAt(decide(input({ outcome: { kind: 'response', status, retryAfter }, now })));
    expect(at.getTime()).toBe(now.getTime() + 3600_000);
  });

  it('is ignored for other statuses', () => {
    const at = retryAt(decide(input({ outcome: { kind: 'response', status: 500, retryAfter: '3600' }, now })));
    expect(at.getTime()).toBe(now.getTime() + 10_000);
  });

  it('waits at least one second, even for Retry-After: 0 or a date in the past', () => {
    expect(retryAt(decide(input({ outcome: { kind: 'response', status: 429, retryAfter: '0' }, now }))).getTime()).toBe(
      now.getTime() + 1000,
    );
    const past = new Date(now.getTime() - 3600_000).toUTCString();
    expect(
      retryAt(decide(input({ outcome: { kind: 'response', status: 503, retryAfter: past }, now }))).getTime(),
    ).toBe(now.getTime() + 1000);
  });

  it('falls back to the schedule when the header is malformed', () => {
    for (const retryAfter of ['soon', '1.5', '-5', '', '  ', '12abc']) {
      const at = retryAt(decide(input({ outcome: { kind: 'response', status: 429, retryAfter }, now })));
      expect(at.getTime(), retryAfter).toBe(now.getTime() + 10_000);
    }
  });

  it('is capped at the end of the 24 h window; an attempt failing there is the last', () => {
    const twoDays = String(2 * DAY);
    const at = retryAt(
      decide(input({ outcome: { kind: 'response', status: 429, retryAfter: twoDays }, attemptInCycle: 3, now })),
    );
    expect(at.getTime()).toBe(T0.getTime() + DAY * 1000);
    // The attempt at the window's end fails again: dead-lettered, not eight attempts back to back.
    const d = decide(
      input({ outcome: { kind: 'response', status: 429, retryAfter: twoDays }, attemptInCycle: 4, now: at }),
    );
    expect(d.action).toBe('dead');
    expect(d.action === 'dead' && d.reason).toMatch(/the retry window of 24 hours is spent$/);
  });

  it('HTTP-date beyond the window is capped the same way', () => {
    const retryAfter = new Date(T0.getTime() + 3 * DAY * 1000).toUTCString();
    expect(retryAt(decide(input({ outcome: { kind: 'response', status: 503, retryAfter }, now }))).getTime()).toBe(
      T0.getTime() + DAY * 1000,
    );
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2015-10-21T07:00:00Z');
  it.each([
    ['120', 120],
    [' 7 ', 7],
    ['0', 0],
    ['Wed, 21 Oct 2015 07:28:00 GMT', 28 * 60], // IMF-fixdate
    ['Wednesday, 21-Oct-15 07:28:00 GMT', 28 * 60], // obsolete RFC 850
    ['Wed, 21 Oct 2015 06:00:00 GMT', 0],
    [undefined, null],
    ['', null],
    ['soon', null],
    ['1.5', null],
    ['-5', null],
    ['2015-10-21T07:28:00Z', null],
  ])('%j → %s', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('override policies', () => {
  it('maxAttempts alone keeps the default schedule', () => {
    const p = resolvePolicy({ maxAttempts: 3 });
    expect(p).toEqual({ maxAttempts: 3, scheduleSeconds: DEFAULT_SCHEDULE_SECONDS });
    expect(policyWindowSeconds(p)).toBe(10 + 30);
    const { times, final } = simulate(p, () => 0.5);
    expect(times).toEqual([0, 10, 40]);
    expect(final.action).toBe('dead');
  });

  it('a schedule alone means one attempt more than it has delays', () => {
    const p = resolvePolicy({ scheduleSeconds: [5, 60, 600] });
    expect(p.maxAttempts).toBe(4);
    expect(simulate(p, () => 0.5).times).toEqual([0, 5, 65, 665]);
  });

  it('more attempts than delays repeat the last delay', () => {
    const p = resolvePolicy({ maxAttempts: 5, scheduleSeconds: [5, 60] });
    expect(policyWindowSeconds(p)).toBe(5 + 60 + 60 + 60);
    expect(simulate(p, () => 0.5).times).toEqual([0, 5, 65, 125, 185]);
  });

  it('one attempt means no retry at all', () => {
    expect(decide(input({ policy: resolvePolicy({ maxAttempts: 1 }) })).action).toBe('dead');
  });

  it('an empty or missing override is the default', () => {
    expect(resolvePolicy(undefined)).toEqual(defaults);
    expect(resolvePolicy({})).toEqual(defaults);
    expect(resolvePolicy({ scheduleSeconds: [] })).toEqual(defaults);
  });

  it('jitter and the window clamp apply to overrides too', () => {
    const p = resolvePolicy({ scheduleSeconds: [100, 100, 100] });
    const { times } = simulate(p, () => MAX_R);
    expect(times).toHaveLength(4);
    expect(times[1]).toBeCloseTo(120, 3);
    expect(times[3]).toBe(300);
  });
});

describe('RETRY_TIME_SCALE', () => {
  it('multiplies every delay and the window', () => {
    const scaled = simulate(defaults, () => 0.5, 0.001).times;
    const real = simulate(defaults, () => 0.5, 1).times;
    expect(scaled).toHaveLength(12);
    scaled.forEach((t, i) => expect(t).toBeCloseTo(real[i]! * 0.001, 3));
    expect(scaled[11]).toBeCloseTo(86.4, 3);
  });

  it('scales Retry-After as well, within the scaled window', () => {
    const at = retryAt(
      decide(input({ outcome: { kind: 'response', status: 429, retryAfter: '120' }, timeScale: 0.01 })),
    );
    expect(at.getTime()).toBe(T0.getTime() + 1200);
    const capped = retryAt(
      decide(input({ outcome: { kind: 'response', status: 429, retryAfter: String(10 * DAY) }, timeScale: 0.01 })),
    );
    expect(capped.getTime()).toBe(T0.getTime() + DAY * 10);
  });

  it('with maximum jitter the scaled schedule still ends within the scaled 24 h', () => {
    const { times } = simulate(defaults, () => MAX_R, 0.0005);
    expect(times).toHaveLength(12);
    expect(times[11]!).toBeLessThanOrEqual(DAY * 0.0005 + 1e-9);
  });
});
