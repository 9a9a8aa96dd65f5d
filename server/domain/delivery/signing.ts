import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign as cryptoSign,
  timingSafeEqual,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import type { SignatureScheme } from '../../../drizzle/schema/values';

/**
 * Standard Webhooks (https://www.standardwebhooks.com), both schemes, over `{id}.{timestamp}.{body}`:
 * - `v1`: HMAC-SHA256 with the base64-decoded part of a `whsec_` secret; header value `v1,<base64>`;
 * - `v1a`: Ed25519 with a `whsk_` signing key (base64 of the 32-byte seed and the 32-byte public key,
 *   as libsodium and TweetNaCl hold it); receivers verify with the `whpk_` public key (base64 of the
 *   raw 32-byte key); header value `v1a,<base64 signature>`.
 * Several signatures are separated by spaces during a secret rotation. Pure: the caller passes the
 * timestamp.
 */
export const SECRET_PREFIX = 'whsec_';
export const SIGNING_KEY_PREFIX = 'whsk_';
export const PUBLIC_KEY_PREFIX = 'whpk_';

export function generateSecret(bytes = 32): string {
  if (bytes < 24 || bytes > 64) throw new Error('secret length must be 24 to 64 bytes');
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/**
 * A fresh signing secret for a scheme: `stored` signs (encrypted at rest), `shown` is what the
 * receiver verifies with (the secret itself for `v1`, the public key for `v1a`).
 */
export function newSigningSecret(scheme: SignatureScheme): { stored: string; shown: string } {
  if (scheme === 'v1a') {
    const k = generateSigningKey();
    return { stored: k.signingKey, shown: k.publicKey };
  }
  const secret = generateSecret();
  return { stored: secret, shown: secret };
}

/** A new Ed25519 key pair for `v1a`: the `whsk_` signing key (kept secret) and the `whpk_` public key (shown). */
export function generateSigningKey(): { signingKey: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d!, 'base64url');
  const pub = Buffer.from(jwk.x!, 'base64url');
  return {
    signingKey: SIGNING_KEY_PREFIX + Buffer.concat([seed, pub]).toString('base64'),
    publicKey: PUBLIC_KEY_PREFIX + pub.toString('base64'),
  };
}

/** The `whpk_` public key of a `whsk_` signing key. */
export function publicKeyOf(signingKey: string): string {
  return PUBLIC_KEY_PREFIX + rawKey(signingKey, SIGNING_KEY_PREFIX).subarray(32, 64).toString('base64');
}

/** A signing key or secret as shown to whoever verifies: the public key for `v1a`, the secret itself for `v1`. */
export function verificationKeyOf(secret: string): string {
  return secret.startsWith(SIGNING_KEY_PREFIX) ? publicKeyOf(secret) : secret;
}

function rawKey(key: string, prefix: string): Buffer {
  return Buffer.from(key.startsWith(prefix) ? key.slice(prefix.length) : key, 'base64');
}

const edPrivateKeys = new Map<string, KeyObject>();

function edPrivateKey(signingKey: string): KeyObject {
  let key = edPrivateKeys.get(signingKey);
  if (!key) {
    const raw = rawKey(signingKey, SIGNING_KEY_PREFIX);
    if (raw.length !== 64) throw new Error('a whsk_ signing key holds 64 bytes (seed and public key)');
    key = createPrivateKey({
      key: {
        kty: 'OKP',
        crv: 'Ed25519',
        d: raw.subarray(0, 32).toString('base64url'),
        x: raw.subarray(32).toString('base64url'),
      },
      format: 'jwk',
    });
    // A handful of subscriptions sign most traffic: keep their parsed keys (bounded).
    if (edPrivateKeys.size >= 1000) edPrivateKeys.clear();
    edPrivateKeys.set(signingKey, key);
  }
  return key;
}

function edPublicKey(publicKey: string): KeyObject {
  const raw = rawKey(publicKey, PUBLIC_KEY_PREFIX);
  if (raw.length !== 32) throw new WebhookVerificationError('a whpk_ public key holds 32 bytes');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

function secretKey(secret: string): Buffer {
  const raw = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(raw, 'base64');
}

/** One signature: `v1a,…` with a `whsk_` signing key, `v1,…` with a `whsec_` secret. */
export function sign(secret: string, id: string, timestampSeconds: number, body: string): string {
  if (secret.startsWith(SIGNING_KEY_PREFIX)) {
    return `v1a,${cryptoSign(null, Buffer.from(`${id}.${timestampSeconds}.${body}`, 'utf8'), edPrivateKey(secret)).toString('base64')}`;
  }
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export type SignedHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** Headers for one attempt: one signature per active secret (current first, then the rotating-out one). */
export function signedHeaders(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): SignedHeaders {
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
 * and a body whose signature matches none of the `v1` signatures (with a `whsec_` secret, compared
 * in constant time) or none of the `v1a` signatures (with a `whpk_` public key).
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
  if (!id || !ts || !sigs)
    throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature header');
  const timestamp = Number(ts);
  if (!Number.isInteger(timestamp)) throw new WebhookVerificationError('invalid webhook-timestamp');
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  const tolerance = opts.toleranceSeconds ?? 300;
  if (Math.abs(now - timestamp) > tolerance)
    throw new WebhookVerificationError('webhook-timestamp is too old or too far in the future');
  if (secret.startsWith(PUBLIC_KEY_PREFIX)) {
    const key = edPublicKey(secret);
    const signed = Buffer.from(`${id}.${timestamp}.${body}`, 'utf8');
    for (const candidate of sigs.split(' ')) {
      const [version, sig] = candidate.split(',', 2);
      if (version !== 'v1a' || !sig) continue;
      const got = Buffer.from(sig, 'base64');
      if (got.length === 64 && cryptoVerify(null, signed, key, got)) return;
    }
    throw new WebhookVerificationError('no matching signature');
  }
  const expected = Buffer.from(sign(secret, id, timestamp, body).slice(3), 'base64');
  for (const candidate of sigs.split(' ')) {
    const [version, mac] = candidate.split(',', 2);
    if (version !== 'v1' || !mac) continue;
    const got = Buffer.from(mac, 'base64');
    if (got.length === expected.length && timingSafeEqual(got, expected)) return;
  }
  throw new WebhookVerificationError('no matching signature');
}
