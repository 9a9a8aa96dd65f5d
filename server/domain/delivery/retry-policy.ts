/**
 * When to try a delivery again. Pure: the clock, the random source and the time scale are arguments.
 *
 * Default: 12 attempts, the first at once, then 11 delays growing geometrically (10 s … ~10 h) that
 * sum to 24 h, each jittered by ±20%; the last attempt is clamped so it never lands later than 24 h
 * after the first. 429/503 with Retry-After wait as asked (within the same 24 h budget). An attempt
 * that fails once the window is spent (a Retry-After beyond it moved the attempt to its end) is the
 * last: the delivery is dead-lettered rather than firing its remaining attempts back to back.
 * A target the SSRF guard refuses (`blocked_target`) is final: dead at once, not retried. An attempt
 * its subscription's transform cancelled (`cancelled`) ends the delivery as done.
 */
import { formatDuration, plural } from '../wording';

export const DEFAULT_SCHEDULE_SECONDS: readonly number[] = [
  10, 30, 90, 270, 810, 1800, 3600, 7200, 14400, 21600, 36590,
];
export const DEFAULT_MAX_ATTEMPTS = DEFAULT_SCHEDULE_SECONDS.length + 1;
export const JITTER = 0.2;

export type RetryPolicy = { maxAttempts: number; scheduleSeconds: readonly number[] };

export function resolvePolicy(
  override: { maxAttempts?: number; scheduleSeconds?: number[] } | null | undefined,
): RetryPolicy {
  const scheduleSeconds = override?.scheduleSeconds?.length ? override.scheduleSeconds : DEFAULT_SCHEDULE_SECONDS;
  const maxAttempts =
    override?.maxAttempts ?? (override?.scheduleSeconds?.length ? scheduleSeconds.length + 1 : DEFAULT_MAX_ATTEMPTS);
  return { maxAttempts, scheduleSeconds };
}

/** The total window of a policy: attempts never land later than this after the cycle's first one. */
export function policyWindowSeconds(policy: RetryPolicy): number {
  let total = 0;
  for (let i = 0; i < policy.maxAttempts - 1; i++) total += delayAt(policy, i);
  return total;
}

function delayAt(policy: RetryPolicy, index: number): number {
  const s = policy.scheduleSeconds;
  return s[Math.min(index, s.length - 1)] ?? 60;
}

export type AttemptOutcome =
  | { kind: 'response'; status: number; retryAfter?: string | undefined }
  | { kind: 'error'; errorClass: string; message: string };

export type Decision =
  | { action: 'succeeded' }
  | { action: 'retry'; at: Date }
  /** `cause` says why in a word (operational webhooks carry it); `reason` in a sentence. */
  | { action: 'dead'; reason: string; cause: 'target_refused' | 'retries_exhausted' | 'window_ended' }
  /** 410 Gone: disable the subscription, hold what is pending. */
  | { action: 'gone' };

export type DecideInput = {
  outcome: AttemptOutcome;
  /** 1-based number of this attempt within the current cycle. */
  attemptInCycle: number;
  cycleStartedAt: Date;
  policy: RetryPolicy;
  now: Date;
  random: () => number;
  timeScale: number;
};

/**
 * `Retry-After` as seconds from `now`: delay-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`). Anything else (`1.5`, `-5`, `soon`) is ignored (null), so the
 * normal schedule applies; `Date.parse` alone would read `1.5` as a date in 2001.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  if (!/^[A-Za-z]{3}/.test(v)) return null; // every HTTP-date form starts with the day name
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, (at - now.getTime()) / 1000);
}

export function isSuccess(outcome: AttemptOutcome): boolean {
  return outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300;
}

export function decide(input: DecideInput): Decision {
  const { outcome, attemptInCycle, policy, now, random, timeScale } = input;
  if (isSuccess(outcome)) return { action: 'succeeded' };
  // The subscription's transform cancelled the attempt (transform.ts): nothing is owed, nothing is retried.
  if (outcome.kind === 'error' && outcome.errorClass === 'cancelled') return { action: 'succeeded' };
  if (outcome.kind === 'response' && outcome.status === 410) return { action: 'gone' };
  // The SSRF guard refused the target: every retry would be refused the same way (the URL only
  // changes when someone edits the subscription, and then they replay).
  if (outcome.kind === 'error' && outcome.errorClass === 'blocked_target')
    return { action: 'dead', reason: `target refused: ${outcome.message}`, cause: 'target_refused' };
  if (attemptInCycle >= policy.maxAttempts) {
    return { action: 'dead', reason: `gave up after ${plural(attemptInCycle, 'attempt')}`, cause: 'retries_exhausted' };
  }
  const nominal = delayAt(policy, attemptInCycle - 1);
  let delaySeconds = nominal * (1 + (random() * 2 - 1) * JITTER);
  if (outcome.kind === 'response' && (outcome.status === 429 || outcome.status === 503)) {
    const asked = parseRetryAfter(outcome.retryAfter, now);
    if (asked !== null) delaySeconds = Math.max(1, asked);
  }
  const deadline = input.cycleStartedAt.getTime() + policyWindowSeconds(policy) * 1000 * timeScale;
  if (now.getTime() >= deadline) {
    return {
      action: 'dead',
      reason: `gave up after ${plural(attemptInCycle, 'attempt')}: the retry window of ${formatDuration(policyWindowSeconds(policy))} is spent`,
      cause: 'window_ended',
    };
  }
  const at = Math.min(now.getTime() + delaySeconds * 1000 * timeScale, deadline);
  return { action: 'retry', at: new Date(at) };
}
