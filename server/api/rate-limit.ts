import { env } from '../env';
import { DomainError } from '../domain/errors';

/**
 * API rate limit: a token bucket per API key (or dashboard user), kept in this process's memory.
 * Why in-process: it costs no database round trip on every request, and with N web instances
 * behind a load balancer a key gets at most N× the limit, an acceptable bound for abuse
 * protection (docs/api.md, docs/scaling.md). Stale buckets are dropped as the map grows.
 */
export type RateLimiter = {
  /** Takes one token from `key`'s bucket, or throws `rate_limited` with the seconds until one is back. */
  check(key: string, now?: number): void;
};

export type RateLimits = { perSecond: number; burst: number };

type Bucket = { tokens: number; at: number };

export function createRateLimiter({ perSecond: rate, burst }: RateLimits): RateLimiter {
  const buckets = new Map<string, Bucket>();
  return {
    check(key, now = Date.now()) {
      const b = buckets.get(key) ?? { tokens: burst, at: now };
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
      b.at = now;
      buckets.set(key, b);
      if (b.tokens < 1) {
        const retryAfterSeconds = Math.max(1, Math.ceil((1 - b.tokens) / rate));
        throw new DomainError('rate_limited', `rate limit of ${rate} requests/s (burst ${burst}) exceeded; retry in ${retryAfterSeconds}s`, { retryAfterSeconds });
      }
      b.tokens -= 1;
      if (buckets.size > 10_000) {
        for (const [k, v] of buckets) if (now - v.at > 60_000) buckets.delete(k);
      }
    },
  };
}

let processLimiter: RateLimiter | undefined;

/** The web process's limiter, with the limits from the environment (API_RATE_LIMIT_PER_SECOND, API_RATE_LIMIT_BURST). */
export function defaultRateLimiter(): RateLimiter {
  const e = env();
  processLimiter ??= createRateLimiter({ perSecond: e.API_RATE_LIMIT_PER_SECOND, burst: e.API_RATE_LIMIT_BURST });
  return processLimiter;
}
