import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks v1 (https://www.standardwebhooks.com): HMAC-SHA256 over `{id}.{timestamp}.{body}`
 * with the base64-decoded part of a `whsec_` secret; header value `v1,<base64>`, several separated by
 * spaces during a secret rotation. Pure: the caller passes the timestamp.
 */
export const SECRET_PREFIX = 'whsec_';

export function generateSecret(bytes = 32): string {
  if (bytes < 24 || bytes > 64) throw new Error('secret length must be 24 to 64 bytes');
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

function secretKey(secret: string): Buffer {
  const raw = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(raw, 'base64');
}

export function sign(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export type SignedHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** Headers for one attempt: one signature per active secret (current first, then the rotating-out one). */
export function signedHeaders(secrets: readonly string[], id: string, timestampSeconds: number, body: string): SignedHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((s) => sign(s, id, timestampSeconds, body)).join(' '),
  };
}

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/**
 * Receiver-side verification, for customers who do not use a Standard Webhooks library.
 * Rejects a missing header, a timestamp more than `toleranceSeconds` (5 minutes) away from `now`,
 * and a body whose signature matches none of the `v1` signatures. Compares in constant time.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  opts: { now?: number; toleranceSeconds?: number } = {},
): void {
  // Header names are case-insensitive: frameworks hand them over as `webhook-id` or `Webhook-Id`.
  const get = (name: string) => {
    const key = name in headers ? name : Object.keys(headers).find((k) => k.toLowerCase() === name);
    const v = key === undefined ? undefined : headers[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = get('webhook-id');
  const ts = get('webhook-timestamp');
  const sigs = get('webhook-signature');
  if (!id || !ts || !sigs) throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature header');
  const timestamp = Number(ts);
  if (!Number.isInteger(timestamp)) throw new WebhookVerificationError('invalid webhook-timestamp');
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  const tolerance = opts.toleranceSeconds ?? 300;
  if (Math.abs(now - timestamp) > tolerance) throw new WebhookVerificationError('webhook-timestamp is too old or too far in the future');
  const expected = Buffer.from(sign(secret, id, timestamp, body).slice(3), 'base64');
  for (const candidate of sigs.split(' ')) {
    const [version, mac] = candidate.split(',', 2);
    if (version !== 'v1' || !mac) continue;
    const got = Buffer.from(mac, 'base64');
    if (got.length === expected.length && timingSafeEqual(got, expected)) return;
  }
  throw new WebhookVerificationError('no matching signature');
}
