import { env } from '../env';

/**
 * Sign-in throttling: failed password sign-ins counted per email and per client address over a
 * sliding window. At the limit, further attempts are refused without checking the password, until
 * the oldest failure in the window ages out. A successful sign-in clears the email's count (not the
 * address's). Refused attempts are not counted, so waiting out the window always works.
 *
 * Kept in this process's memory: there is no table for it (a schema change), so with N web
 * processes an attacker gets at most N× the limit. Maps are bounded: keys whose failures have all
 * aged out are dropped as the map grows.
 */
export type ThrottleLimits = { perEmail: number; perIp: number; windowMs: number };
type ThrottleKeys = { email: string; ip: string };

export type SignInThrottle = {
  /** Seconds until an attempt for these keys is allowed again; 0 when it is allowed now. */
  retryAfterSeconds(keys: ThrottleKeys, now?: number): number;
  failed(keys: ThrottleKeys, now?: number): void;
  succeeded(keys: ThrottleKeys): void;
};

export function createSignInThrottle(limits: ThrottleLimits): SignInThrottle {
  /** Failure times per key, oldest first, at most the key's limit of them. */
  const failures = new Map<string, number[]>();
  const entries = (keys: ThrottleKeys) =>
    [
      [`email:${keys.email.trim().toLowerCase()}`, limits.perEmail],
      [`ip:${keys.ip}`, limits.perIp],
    ] as const;
  const recent = (key: string, now: number) => (failures.get(key) ?? []).filter((t) => now - t < limits.windowMs);

  return {
    retryAfterSeconds(keys, now = Date.now()) {
      let waitMs = 0;
      for (const [key, limit] of entries(keys)) {
        const times = recent(key, now);
        // `limit` failures in the window: blocked until enough of them age out to leave limit - 1.
        if (times.length >= limit) waitMs = Math.max(waitMs, times[times.length - limit]! + limits.windowMs - now);
      }
      return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : 0;
    },
    failed(keys, now = Date.now()) {
      for (const [key, limit] of entries(keys)) failures.set(key, [...recent(key, now), now].slice(-limit));
      if (failures.size > 10_000) {
        for (const [key, times] of failures) if (!times.some((t) => now - t < limits.windowMs)) failures.delete(key);
      }
    },
    succeeded(keys) {
      failures.delete(entries(keys)[0][0]);
    },
  };
}

/**
 * The client address (for the sign-in throttle and the audit log). The web server appends the
 * socket's peer address to X-Forwarded-For, always (patches/next@16.4.6.patch: Next.js alone sets it
 * only when the client sent none), so the last entry is the peer and anything before it was sent by
 * someone else. With no proxy in front (TRUSTED_PROXIES=0, the default) the peer is the client, and
 * whatever the client wrote in the header is ignored. Behind N proxies that each append the address
 * they saw, the client is the entry N places before the last: entries further left are the client's
 * own claims, never trusted.
 */
export function clientAddress(headers: Headers, trustedProxies: number = env().TRUSTED_PROXIES): string {
  const entries = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (trustedProxies === 0) return entries.at(-1) ?? 'unknown';
  // Fewer entries than proxies: the furthest one any trusted proxy wrote.
  return entries[Math.max(0, entries.length - 1 - trustedProxies)] ?? headers.get('x-real-ip') ?? 'unknown';
}
