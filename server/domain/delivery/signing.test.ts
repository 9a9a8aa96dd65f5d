import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Webhook, WebhookVerificationError as LibVerificationError } from 'standardwebhooks';
import nacl from 'tweetnacl';
import {
  PUBLIC_KEY_PREFIX,
  SECRET_PREFIX,
  SIGNING_KEY_PREFIX,
  WebhookVerificationError,
  generateSecret,
  generateSigningKey,
  publicKeyOf,
  sign,
  signedHeaders,
  verificationKeyOf,
  verifyWebhook,
} from './signing';

// A fixed secret (the Standard Webhooks spec's example key) and a body with non-ASCII bytes.
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const id = 'evt_01JQ8Z5M7N2P3Q4R5S6T7V8W9X';
const body = JSON.stringify({
  id,
  type: 'charge.succeeded',
  timestamp: '2026-03-01T12:00:00.000Z',
  data: { amount: 4200, note: 'café ✓' },
});
const nowMs = Date.UTC(2026, 2, 1, 12, 0, 0);
const ts = Math.floor(nowMs / 1000);

describe('sign', () => {
  it('is v1,<base64 HMAC-SHA256> over "{id}.{timestamp}.{body}" with the base64-decoded secret', () => {
    const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
    expect(sign(secret, id, ts, body)).toBe(`v1,${expected}`);
  });

  it('matches the Standard Webhooks reference signature', () => {
    // Test vector from the standardwebhooks reference implementations.
    const sig = sign(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(sig).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signedHeaders carries the id, the timestamp and one signature per secret, current first', () => {
    const other = generateSecret();
    const h = signedHeaders([secret, other], id, ts, body);
    expect(h['webhook-id']).toBe(id);
    expect(h['webhook-timestamp']).toBe(String(ts));
    expect(h['webhook-signature']).toBe(`${sign(secret, id, ts, body)} ${sign(other, id, ts, body)}`);
  });
});

describe('generateSecret', () => {
  it('is whsec_ and 32 random bytes in base64 by default', () => {
    const s = generateSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
    expect(generateSecret()).not.toBe(s);
  });

  it('refuses lengths outside 24–64 bytes', () => {
    expect(() => generateSecret(16)).toThrow(/24 to 64/);
    expect(() => generateSecret(65)).toThrow(/24 to 64/);
    expect(Buffer.from(generateSecret(24).slice(6), 'base64')).toHaveLength(24);
  });
});

describe('verifyWebhook', () => {
  const headers = () => ({ ...signedHeaders([secret], id, ts, body) }) as Record<string, string>;

  it('accepts our signature', () => {
    expect(() => verifyWebhook(secret, headers(), body, { now: nowMs })).not.toThrow();
  });

  it('accepts timestamps up to 5 minutes off either way, and rejects beyond', () => {
    expect(() => verifyWebhook(secret, headers(), body, { now: nowMs + 300_000 })).not.toThrow();
    expect(() => verifyWebhook(secret, headers(), body, { now: nowMs - 300_000 })).not.toThrow();
    expect(() => verifyWebhook(secret, headers(), body, { now: nowMs + 301_000 })).toThrow(
      /too old or too far in the future/,
    );
    expect(() => verifyWebhook(secret, headers(), body, { now: nowMs - 301_000 })).toThrow(
      /too old or too far in the future/,
    );
  });

  it('rejects a replay of a valid request after the window', () => {
    expect(() => verifyWebhook(secret, headers(), body, { now: nowMs + 3600_000 })).toThrow(WebhookVerificationError);
  });

  it('honours a custom tolerance', () => {
    expect(() => verifyWebhook(secret, headers(), body, { now: nowMs + 61_000, toleranceSeconds: 60 })).toThrow(
      /too old/,
    );
  });

  it('rejects a tampered body, id or timestamp', () => {
    expect(() => verifyWebhook(secret, headers(), body.replace('4200', '4201'), { now: nowMs })).toThrow(
      /no matching signature/,
    );
    expect(() => verifyWebhook(secret, headers(), `${body} `, { now: nowMs })).toThrow(/no matching signature/);
    expect(() => verifyWebhook(secret, { ...headers(), 'webhook-id': `${id}X` }, body, { now: nowMs })).toThrow(
      /no matching signature/,
    );
    expect(() =>
      verifyWebhook(secret, { ...headers(), 'webhook-timestamp': String(ts + 1) }, body, { now: nowMs }),
    ).toThrow(/no matching signature/);
  });

  it('rejects another secret', () => {
    expect(() => verifyWebhook(generateSecret(), headers(), body, { now: nowMs })).toThrow(/no matching signature/);
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('rejects a request without %s', (name) => {
    const h = headers();
    delete h[name];
    expect(() => verifyWebhook(secret, h, body, { now: nowMs })).toThrow(
      /missing webhook-id, webhook-timestamp or webhook-signature/,
    );
  });

  it('rejects a non-numeric timestamp', () => {
    expect(() =>
      verifyWebhook(secret, { ...headers(), 'webhook-timestamp': 'yesterday' }, body, { now: nowMs }),
    ).toThrow(/invalid webhook-timestamp/);
  });

  it('ignores signatures of other versions and malformed entries', () => {
    const mac = sign(secret, id, ts, body).slice(3);
    expect(() =>
      verifyWebhook(secret, { ...headers(), 'webhook-signature': `v2,${mac}` }, body, { now: nowMs }),
    ).toThrow(/no matching/);
    expect(() =>
      verifyWebhook(secret, { ...headers(), 'webhook-signature': `v1a,${mac} v1, garbage` }, body, { now: nowMs }),
    ).toThrow(/no matching/);
    expect(() =>
      verifyWebhook(secret, { ...headers(), 'webhook-signature': `v1a,${mac} v1,${mac}` }, body, { now: nowMs }),
    ).not.toThrow();
  });

  it('reads header names in any case and the first of repeated values', () => {
    const h = headers();
    const mixed = {
      'Webhook-Id': h['webhook-id'],
      'WEBHOOK-TIMESTAMP': h['webhook-timestamp'],
      'Webhook-Signature': [h['webhook-signature']!, 'v1,x'],
    };
    expect(() => verifyWebhook(secret, mixed, body, { now: nowMs })).not.toThrow();
  });

  it('during a rotation, accepts either secret (several signatures)', () => {
    const next = generateSecret();
    const h = signedHeaders([next, secret], id, ts, body);
    expect(h['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => verifyWebhook(secret, h, body, { now: nowMs })).not.toThrow();
    expect(() => verifyWebhook(next, h, body, { now: nowMs })).not.toThrow();
    expect(() => verifyWebhook(generateSecret(), h, body, { now: nowMs })).toThrow(/no matching signature/);
  });
});

describe('interoperability with the standardwebhooks package', () => {
  it('standardwebhooks verifies what we sign', () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = new Webhook(secret).verify(body, { ...signedHeaders([secret], id, now, body) });
    expect(payload).toEqual(JSON.parse(body));
  });

  it('standardwebhooks verifies either signature during a rotation', () => {
    const now = Math.floor(Date.now() / 1000);
    const next = generateSecret();
    const h = { ...signedHeaders([next, secret], id, now, body) };
    expect(new Webhook(next).verify(body, h)).toEqual(JSON.parse(body));
    expect(new Webhook(secret).verify(body, h)).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateSecret()).verify(body, h)).toThrow(LibVerificationError);
  });

  it('standardwebhooks rejects our signature once the timestamp is 5 minutes old, as we do', () => {
    const old = Math.floor(Date.now() / 1000) - 301;
    const h = { ...signedHeaders([secret], id, old, body) };
    expect(() => new Webhook(secret).verify(body, h)).toThrow(LibVerificationError);
    expect(() => verifyWebhook(secret, h, body)).toThrow(WebhookVerificationError);
  });

  it('we verify what standardwebhooks signs, and produce the same signature', () => {
    const at = new Date(nowMs);
    const signature = new Webhook(secret).sign(id, at, body);
    expect(signature).toBe(sign(secret, id, ts, body));
    const h = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signature };
    expect(() => verifyWebhook(secret, h, body, { now: nowMs })).not.toThrow();
    expect(() => verifyWebhook(secret, h, body.replace('café', 'cafe'), { now: nowMs })).toThrow(/no matching/);
  });

  it('agree for freshly generated secrets', () => {
    for (let i = 0; i < 20; i++) {
      const s = generateSecret();
      expect(new Webhook(s).sign(id, new Date(nowMs), body)).toBe(sign(s, id, ts, body));
    }
  });
});

describe('v1a (Ed25519)', () => {
  // RFC 8032, section 7.1, TEST 1: a fixed seed and its public key.
  const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
  const pub = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex');
  const signingKey = SIGNING_KEY_PREFIX + Buffer.concat([seed, pub]).toString('base64');
  const publicKey = PUBLIC_KEY_PREFIX + pub.toString('base64');
  const headers = (keys = [signingKey]) => ({ ...signedHeaders(keys, id, ts, body) }) as Record<string, string>;

  it('generates a whsk_ signing key (seed and public key) and a whpk_ public key of 32 raw bytes', () => {
    const k = generateSigningKey();
    expect(k.signingKey).toMatch(/^whsk_[A-Za-z0-9+/]+=*$/);
    expect(k.publicKey).toMatch(/^whpk_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(k.signingKey.slice(5), 'base64')).toHaveLength(64);
    expect(Buffer.from(k.publicKey.slice(5), 'base64')).toHaveLength(32);
    expect(publicKeyOf(k.signingKey)).toBe(k.publicKey);
    expect(verificationKeyOf(k.signingKey)).toBe(k.publicKey);
    expect(verificationKeyOf(secret)).toBe(secret);
    expect(generateSigningKey().publicKey).not.toBe(k.publicKey);
  });

  it('the public key of a generated pair is the one Ed25519 derives from its seed (TweetNaCl agrees)', () => {
    const k = generateSigningKey();
    const raw = Buffer.from(k.signingKey.slice(5), 'base64');
    const derived = nacl.sign.keyPair.fromSeed(raw.subarray(0, 32));
    expect(Buffer.from(derived.publicKey).toString('base64')).toBe(k.publicKey.slice(5));
    expect(Buffer.from(derived.secretKey).equals(raw)).toBe(true);
  });

  it('signs "{id}.{timestamp}.{body}" as v1a,<base64>: the signature TweetNaCl makes with the RFC 8032 key', () => {
    const sig = sign(signingKey, id, ts, body);
    expect(sig).toMatch(/^v1a,/);
    const expected = nacl.sign.detached(
      Buffer.from(`${id}.${ts}.${body}`, 'utf8'),
      nacl.sign.keyPair.fromSeed(seed).secretKey,
    );
    expect(Buffer.from(sig.slice(4), 'base64').equals(Buffer.from(expected))).toBe(true);
    expect(
      nacl.sign.detached.verify(Buffer.from(`${id}.${ts}.${body}`, 'utf8'), Buffer.from(sig.slice(4), 'base64'), pub),
    ).toBe(true);
  });

  it('verifyWebhook accepts it with the whpk_ public key, within 5 minutes', () => {
    expect(() => verifyWebhook(publicKey, headers(), body, { now: nowMs })).not.toThrow();
    expect(() => verifyWebhook(publicKey, headers(), body, { now: nowMs + 301_000 })).toThrow(/too old/);
  });

  it('rejects a tampered body, id or timestamp, another key, and a v1 signature under a public key', () => {
    expect(() => verifyWebhook(publicKey, headers(), body.replace('4200', '4201'), { now: nowMs })).toThrow(
      /no matching signature/,
    );
    expect(() => verifyWebhook(publicKey, { ...headers(), 'webhook-id': `${id}X` }, body, { now: nowMs })).toThrow(
      /no matching signature/,
    );
    expect(() =>
      verifyWebhook(publicKey, { ...headers(), 'webhook-timestamp': String(ts + 1) }, body, { now: nowMs }),
    ).toThrow(/no matching signature/);
    expect(() => verifyWebhook(generateSigningKey().publicKey, headers(), body, { now: nowMs })).toThrow(
      /no matching signature/,
    );
    // The v1a signature in a v1 slot, a v1 HMAC, garbage: none verifies under the public key.
    const v1a = sign(signingKey, id, ts, body).slice(4);
    expect(() =>
      verifyWebhook(publicKey, { ...headers(), 'webhook-signature': `v1,${v1a}` }, body, { now: nowMs }),
    ).toThrow(/no matching/);
    expect(() =>
      verifyWebhook(publicKey, { ...headers(), 'webhook-signature': sign(secret, id, ts, body) }, body, { now: nowMs }),
    ).toThrow(/no matching/);
    expect(() =>
      verifyWebhook(publicKey, { ...headers(), 'webhook-signature': 'v1a,AAAA v1a, v1a' }, body, { now: nowMs }),
    ).toThrow(/no matching/);
    // …and a v1a header does not verify with a v1 secret.
    expect(() => verifyWebhook(secret, headers(), body, { now: nowMs })).toThrow(/no matching/);
  });

  it('refuses a public key that is not 32 bytes', () => {
    expect(() => verifyWebhook('whpk_AAAA', headers(), body, { now: nowMs })).toThrow(/32 bytes/);
  });

  it('during a rotation, signs with both keys, current first, and either public key verifies', () => {
    const next = generateSigningKey();
    const h = headers([next.signingKey, signingKey]);
    const sigs = h['webhook-signature']!.split(' ');
    expect(sigs).toHaveLength(2);
    expect(sigs.every((x) => x.startsWith('v1a,'))).toBe(true);
    expect(() => verifyWebhook(next.publicKey, h, body, { now: nowMs })).not.toThrow();
    expect(() => verifyWebhook(publicKey, h, body, { now: nowMs })).not.toThrow();
    expect(() =>
      verifyWebhook(next.publicKey, { ...h, 'webhook-signature': sigs[0]! }, body, { now: nowMs }),
    ).not.toThrow();
  });
});
