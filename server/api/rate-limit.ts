import { env } from '../env';
import { DomainError } from '../domain/errors';
import { formatDuration } from '../domain/wording';

/**
 * API rate limit: a token bucket per customer API key (or dashboard user) and, for a customer's
 * requests, one per customer as well, shared by all its keys and users (so minting more keys buys no
 * more throughput). Platform keys, the operator's own services, are not limited unless a platform
 * rate is configured (then each platform key has a bucket of its own at that rate).
 *
 * A request costs one token, a batch publish one per event. A cost above a bucket's burst is let
 * through when the bucket is full and leaves it in debt, so the average rate holds either way.
 *
 * Kept in this process's memory. Why in-process: it costs no database round trip on every request,
 * and with N web instances behind a load balancer a key gets at most N× the limit, an acceptable
 * bound for abuse protection (docs/api.md, docs/scaling.md). Stale buckets are dropped as the map grows.
 */
type Caller = string | { principalId: string; customerId?: string | undefined; platform?: boolean };

export type RateLimiter = {
  /**
   * Takes `cost` tokens from the caller's bucket (and its customer's), or throws `rate_limited` with
   * the seconds until they are back. A refused request takes no token from either bucket.
   */
  check(caller: Caller, now?: number, cost?: number): void;
};

type Rate = { perSecond: number; burst: number };
export type RateLimits = Rate & { perCustomer?: Rate; platform?: Rate | null };

type Bucket = { tokens: number; at: number };

export function createRateLimiter({ perSecond, burst, perCustomer, platform = null }: RateLimits): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const refill = (key: string, rate: Rate, now: number) => {
    const b = buckets.get(key) ?? { tokens: rate.burst, at: now };
    b.tokens = Math.min(rate.burst, b.tokens + ((now - b.at) / 1000) * rate.perSecond);
    b.at = now;
    buckets.set(key, b);
    return b;
  };
  /** What a bucket must hold to let `cost` through: all of it, or a full bucket when it is more than the burst. */
  const needed = (rate: Rate, cost: number) => Math.min(cost, rate.burst);
  const refuse = (what: string, b: Bucket, rate: Rate, cost: number) => {
    const retryAfterSeconds = Math.max(1, Math.ceil((needed(rate, cost) - b.tokens) / rate.perSecond));
    const costs = cost === 1 ? '' : `; this request costs ${cost} tokens, one per event`;
    return new DomainError(
      'rate_limited',
      `${what} rate limit of ${rate.perSecond} requests/s (burst ${rate.burst}) exceeded${costs}; try again in ${formatDuration(retryAfterSeconds)}`,
      { retryAfterSeconds },
    );
  };
  return {
    check(caller, now = Date.now(), cost = 1) {
      const c = typeof caller === 'string' ? { principalId: caller } : caller;
      const ownRate = c.platform ? platform : { perSecond, burst };
      if (!ownRate) return;
      const own = refill(`p:${c.principalId}`, ownRate, now);
      const sharedRate = !c.platform && c.customerId ? perCustomer : undefined;
      const shared = sharedRate ? refill(`c:${c.customerId}`, sharedRate, now) : undefined;
      if (own.tokens < needed(ownRate, cost))
        throw refuse(c.platform ? 'per-platform-key' : 'per-key', own, ownRate, cost);
      if (shared && sharedRate && shared.tokens < needed(sharedRate, cost))
        throw refuse('per-customer', shared, sharedRate, cost);
      own.tokens -= cost;
      if (shared) shared.tokens -= cost;
      if (buckets.size > 10_000) {
        for (const [k, v] of buckets) if (now - v.at > 60_000) buckets.delete(k);
      }
    },
  };
}

let processLimiter: RateLimiter | undefined;

/**
 * The web process's limiter, with the limits from the environment (API_RATE_LIMIT_PER_SECOND,
 * API_RATE_LIMIT_BURST per customer key; API_CUSTOMER_RATE_LIMIT_PER_SECOND, API_CUSTOMER_RATE_LIMIT_BURST
 * per customer; API_PLATFORM_RATE_LIMIT_PER_SECOND, API_PLATFORM_RATE_LIMIT_BURST per platform key, unset: none).
 */
export function defaultRateLimiter(): RateLimiter {
  const e = env();
  const platformRate = e.API_PLATFORM_RATE_LIMIT_PER_SECOND;
  processLimiter ??= createRateLimiter({
    perSecond: e.API_RATE_LIMIT_PER_SECOND,
    burst: e.API_RATE_LIMIT_BURST,
    perCustomer: { perSecond: e.API_CUSTOMER_RATE_LIMIT_PER_SECOND, burst: e.API_CUSTOMER_RATE_LIMIT_BURST },
    platform: platformRate
      ? { perSecond: platformRate, burst: e.API_PLATFORM_RATE_LIMIT_BURST ?? 2 * platformRate }
      : null,
  });
  return processLimiter;
}
