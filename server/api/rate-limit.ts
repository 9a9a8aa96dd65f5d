import { env } from '../env';
import { DomainError } from '../domain/errors';
import { formatDuration } from '../domain/wording';

/**
 * API rate limit: a token bucket per API key (or dashboard user) and, for a customer's requests, one
 * per customer as well, shared by all its keys and users (so minting more keys buys no more
 * throughput). Kept in this process's memory. Why in-process: it costs no database round trip on
 * every request, and with N web instances behind a load balancer a key gets at most N× the limit,
 * an acceptable bound for abuse protection (docs/api.md, docs/scaling.md). Stale buckets are
 * dropped as the map grows.
 */
export type Caller = string | { principalId: string; customerId?: string | undefined };

export type RateLimiter = {
  /**
   * Takes one token from the caller's bucket (and its customer's), or throws `rate_limited` with the
   * seconds until one is back. A refused request takes no token from either bucket.
   */
  check(caller: Caller, now?: number): void;
};

export type RateLimits = { perSecond: number; burst: number; perCustomer?: { perSecond: number; burst: number } };

type Bucket = { tokens: number; at: number };

export function createRateLimiter({ perSecond, burst, perCustomer }: RateLimits): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const refill = (key: string, rate: number, cap: number, now: number) => {
    const b = buckets.get(key) ?? { tokens: cap, at: now };
    b.tokens = Math.min(cap, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    buckets.set(key, b);
    return b;
  };
  const refuse = (what: string, b: Bucket, rate: number, cap: number) => {
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - b.tokens) / rate));
    return new DomainError(
      'rate_limited',
      `${what} rate limit of ${rate} requests/s (burst ${cap}) exceeded; try again in ${formatDuration(retryAfterSeconds)}`,
      {
        retryAfterSeconds,
      },
    );
  };
  return {
    check(caller, now = Date.now()) {
      const { principalId, customerId } = typeof caller === 'string' ? { principalId: caller, customerId: undefined } : caller;
      const own = refill(`p:${principalId}`, perSecond, burst, now);
      const shared = perCustomer && customerId ? refill(`c:${customerId}`, perCustomer.perSecond, perCustomer.burst, now) : undefined;
      if (own.tokens < 1) throw refuse('per-key', own, perSecond, burst);
      if (shared && perCustomer && shared.tokens < 1) throw refuse('per-customer', shared, perCustomer.perSecond, perCustomer.burst);
      own.tokens -= 1;
      if (shared) shared.tokens -= 1;
      if (buckets.size > 10_000) {
        for (const [k, v] of buckets) if (now - v.at > 60_000) buckets.delete(k);
      }
    },
  };
}

let processLimiter: RateLimiter | undefined;

/**
 * The web process's limiter, with the limits from the environment (API_RATE_LIMIT_PER_SECOND,
 * API_RATE_LIMIT_BURST per key; API_CUSTOMER_RATE_LIMIT_PER_SECOND, API_CUSTOMER_RATE_LIMIT_BURST per customer).
 */
export function defaultRateLimiter(): RateLimiter {
  const e = env();
  processLimiter ??= createRateLimiter({
    perSecond: e.API_RATE_LIMIT_PER_SECOND,
    burst: e.API_RATE_LIMIT_BURST,
    perCustomer: { perSecond: e.API_CUSTOMER_RATE_LIMIT_PER_SECOND, burst: e.API_CUSTOMER_RATE_LIMIT_BURST },
  });
  return processLimiter;
}
