import { createPublicKey, verify } from 'node:crypto';
import { eq } from 'drizzle-orm';
import nacl from 'tweetnacl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriptions } from '../../../drizzle/schema';
import type { Json, Rest } from '../../../tests/support/api';
import { createTenant, ok, startApiEngine, type ApiEngine } from '../../../tests/support/api-world';
import { onlyDelivery, waitForStatus } from '../../../tests/support/engine';
import { startReceiver, type Received } from '../../../tests/support/receiver';
import { verifyWebhook } from './signing';

/**
 * `v1a` (Ed25519) end to end: a subscription created over REST with `signatureScheme: "v1a"` gets a
 * `whpk_` public key, and a real receiver verifies every delivery with that key alone, twice: with
 * `node:crypto` (the code docs/receiving.md shows) and with TweetNaCl (an independent Ed25519).
 */

/** docs/receiving.md's receiver, verbatim in substance: node:crypto and the whpk_ key, nothing else. */
function verifyWithNodeCrypto(whpk: string, headers: Record<string, string>, rawBody: string): boolean {
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(whpk.slice('whpk_'.length), 'base64').toString('base64url') },
    format: 'jwk',
  });
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigs = headers['webhook-signature'];
  if (!id || !ts || !sigs) return false;
  if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const signed = Buffer.from(`${id}.${ts}.${rawBody}`, 'utf8');
  return sigs
    .split(' ')
    .some((s) => s.startsWith('v1a,') && verify(null, signed, publicKey, Buffer.from(s.slice(4), 'base64')));
}

/** The same check with TweetNaCl, sharing no code with node:crypto or Hookrelay. */
function verifyWithTweetnacl(whpk: string, headers: Record<string, string>, rawBody: string): boolean {
  const key = new Uint8Array(Buffer.from(whpk.slice(5), 'base64'));
  const signed = new TextEncoder().encode(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${rawBody}`);
  return (headers['webhook-signature'] ?? '').split(' ').some((s) => {
    const [version, sig] = s.split(',', 2);
    return (
      version === 'v1a' && !!sig && nacl.sign.detached.verify(signed, new Uint8Array(Buffer.from(sig, 'base64')), key)
    );
  });
}

let engine: ApiEngine;
let rest: Rest;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let customerKey: string;
/** The public key the receiver trusts (what a customer would configure); swapped during rotation. */
const trusted: string[] = [];
/** Per request: which trusted keys verified it, by which implementation. */
const verdicts: Array<{ node: boolean[]; nacl: boolean[] }> = [];

beforeAll(async () => {
  engine = await startApiEngine('v1a', {}, 'test');
  rest = engine.rest;
  // The receiver answers 200 only if every trusted key verifies the request both ways; else 401.
  receiver = await startReceiver((r: Received) => {
    const v = {
      node: trusted.map((k) => verifyWithNodeCrypto(k, r.headers, r.body)),
      nacl: trusted.map((k) => verifyWithTweetnacl(k, r.headers, r.body)),
    };
    verdicts.push(v);
    return { status: v.node.every(Boolean) && v.nacl.every(Boolean) ? 200 : 401 };
  });
  customerKey = (await createTenant(rest, engine.platformKey, 'Asymmetric')).key;
});

afterAll(async () => {
  await receiver?.close();
  await engine?.stop();
});

async function publishAndDeliver(): Promise<Received> {
  const before = receiver.received.length;
  const ev = await ok(
    rest('POST', '/events', {
      key: customerKey,
      body: { type: 'charge.succeeded', data: { amount: 4200, note: 'café ✓' } },
    }),
    202,
  );
  await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, ev.id)).id, 'succeeded');
  expect(receiver.received).toHaveLength(before + 1);
  return receiver.received[before]!;
}

describe('v1a (Ed25519) signatures', () => {
  let sub: Json;

  it('a v1a subscription answers with its whpk_ public key, never a secret', async () => {
    sub = await ok(
      rest('POST', '/subscriptions', {
        key: customerKey,
        body: { url: `${receiver.url}/hook`, eventTypes: ['*'], signatureScheme: 'v1a' },
      }),
      201,
    );
    expect(sub.signatureScheme).toBe('v1a');
    expect(sub.secret).toMatch(/^whpk_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(sub.secret.slice(5), 'base64')).toHaveLength(32);
    expect(await ok(rest('GET', '/subscriptions/{id}/secret', { key: customerKey, params: { id: sub.id } }))).toEqual({
      secret: sub.secret,
    });
    expect(await ok(rest('GET', '/subscriptions/{id}', { key: customerKey, params: { id: sub.id } }))).toMatchObject({
      signatureScheme: 'v1a',
    });
    // At rest: an encrypted whsk_ signing key, not the public key and not a whsec_.
    const [row] = await engine.ctx.db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
    expect(row!.secretEnc).not.toContain('whsk_');
    expect(row!.signatureScheme).toBe('v1a');
  });

  it('a delivery verifies with the public key, by node:crypto and by TweetNaCl, and with verifyWebhook', async () => {
    trusted.splice(0, trusted.length, sub.secret);
    const got = await publishAndDeliver();
    expect(got.headers['webhook-signature']).toMatch(/^v1a,[A-Za-z0-9+/]+=*$/);
    expect(verdicts.at(-1)).toEqual({ node: [true], nacl: [true] });
    expect(() => verifyWebhook(sub.secret, got.headers, got.body)).not.toThrow();
    // A tampered body fails both ways.
    const tampered = got.body.replace('4200', '4201');
    expect(verifyWithNodeCrypto(sub.secret, got.headers, tampered)).toBe(false);
    expect(verifyWithTweetnacl(sub.secret, got.headers, tampered)).toBe(false);
  });

  it('v1 stays the default: a whsec_ secret and v1 signatures', async () => {
    const v1 = await ok(
      rest('POST', '/subscriptions', {
        key: customerKey,
        body: { url: 'http://127.0.0.1:9/off', eventTypes: ['never.*'] },
      }),
      201,
    );
    expect(v1).toMatchObject({ signatureScheme: 'v1', secret: expect.stringMatching(/^whsec_/) });
  });

  it('rotation: for 24 h both key pairs sign; each public key verifies both ways; then only the new one', async () => {
    const rotated = await ok(
      rest('POST', '/subscriptions/{id}/rotate-secret', { key: customerKey, params: { id: sub.id } }),
    );
    expect(rotated).toMatchObject({
      signatureScheme: 'v1a',
      secret: expect.stringMatching(/^whpk_/),
      secretRotationEndsAt: expect.any(String),
    });
    expect(rotated.secret).not.toBe(sub.secret);
    expect(await ok(rest('GET', '/subscriptions/{id}/secret', { key: customerKey, params: { id: sub.id } }))).toEqual({
      secret: rotated.secret,
    });

    // A receiver that knows either key accepts the delivery (the new key signs first).
    trusted.splice(0, trusted.length, rotated.secret, sub.secret);
    const during = await publishAndDeliver();
    const sigs = during.headers['webhook-signature']!.split(' ');
    expect(sigs).toHaveLength(2);
    expect(verdicts.at(-1)).toEqual({ node: [true, true], nacl: [true, true] });
    expect(verifyWithTweetnacl(rotated.secret, { ...during.headers, 'webhook-signature': sigs[0]! }, during.body)).toBe(
      true,
    );
    expect(verifyWithNodeCrypto(sub.secret, { ...during.headers, 'webhook-signature': sigs[1]! }, during.body)).toBe(
      true,
    );

    // Grace period over: one signature, by the new key only.
    await engine.ctx.db
      .update(subscriptions)
      .set({ previousSecretExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(subscriptions.id, sub.id));
    trusted.splice(0, trusted.length, rotated.secret);
    const after = await publishAndDeliver();
    expect(after.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(verifyWithNodeCrypto(sub.secret, after.headers, after.body)).toBe(false);
    expect(verifyWithTweetnacl(sub.secret, after.headers, after.body)).toBe(false);
    expect(() => verifyWebhook(sub.secret, after.headers, after.body)).toThrow(/no matching signature/);
    expect(verifyWithTweetnacl(rotated.secret, after.headers, after.body)).toBe(true);
  });

  it("refuses an unknown scheme, and a scheme change on update (the key pair is the subscription's)", async () => {
    const bad = await rest('POST', '/subscriptions', {
      key: customerKey,
      body: { url: `${receiver.url}/x`, eventTypes: ['*'], signatureScheme: 'v2' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('signatureScheme');
    const patch = await rest('PATCH', '/subscriptions/{id}', {
      key: customerKey,
      params: { id: sub.id },
      body: { signatureScheme: 'v1' },
    });
    expect(patch.status).toBe(400);
    expect(patch.body.errors).toEqual([
      { field: 'signatureScheme', reason: 'cannot be changed; create a new subscription with the new scheme' },
    ]);
  });
});
