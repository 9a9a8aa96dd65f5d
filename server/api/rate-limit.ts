import { env } from '../env';
import { DomainError } from '../domain/errors';

/**
 * API rate limit: a token bucket per API key (or dashboard user), kept in this process's memory.
 * Why in-process: it costs no database round trip on every request, and with N web instances
 * behind a load balancer a key gets at most N× the limit, an acceptable bound for abuse
 * protection (docs/scaling.md). Stale buckets are dropped as the map grows.
 */
type Bucket = { tokens: number; at: number };
const buckets = new Map<string, Bucket>();

export function checkRateLimit(key: string, now = Date.now()): void {
  const { API_RATE_LIMIT_PER_SECOND: rate, API_RATE_LIMIT_BURST: burst } = env();
  const b = buckets.get(key) ?? { tokens: burst, at: now };
  b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
  b.at = now;
  if (b.tokens < 1) {
    buckets.set(key, b);
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - b.tokens) / rate));
    throw new DomainError('rate_limited', `rate limit of ${rate} requests/s exceeded; retry in ${retryAfterSeconds}s`, { retryAfterSeconds });
  }
  b.tokens -= 1;
  buckets.set(key, b);
  if (buckets.size > 10_000) {
    for (const [k, v] of buckets) if (now - v.at > 60_000) buckets.delete(k);
  }
}
