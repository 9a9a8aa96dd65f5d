import { describe, expect, it } from 'vitest';
import { encryptV1 } from '../../tests/support/legacy-crypto';
import { decryptSecret, encryptSecret, hashToken, keyring, needsReencryption, sealedIn } from './crypto';

const MASTER = 'test-secret-key-0123456789abcdef';
const ring = keyring(MASTER);
const plaintext = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const here = sealedIn.subscriptionSecret('sub_01JAAAAAAAAAAAAAAAAAAAAAAA');

/** Flips one bit of a base64url field of the ciphertext. */
function flip(stored: string, field: number): string {
  const parts = stored.split('.');
  const raw = Buffer.from(parts[field]!, 'base64url');
  raw[0] = raw[0]! ^ 1;
  parts[field] = raw.toString('base64url');
  return parts.join('.');
}

describe('secrets at rest', () => {
  it('round-trips, and never stores the plaintext', () => {
    const stored = encryptSecret(ring, plaintext, here);
    expect(stored).toMatch(/^v2\.[0-9a-f]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(stored).not.toContain(plaintext.slice(6));
    expect(decryptSecret(ring, stored, here)).toBe(plaintext);
  });

  it('uses a fresh IV each time', () => {
    const a = encryptSecret(ring, plaintext, here);
    const b = encryptSecret(ring, plaintext, here);
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
    expect(decryptSecret(ring, b, here)).toBe(plaintext);
  });

  it('round-trips empty and non-ASCII plaintexts', () => {
    expect(decryptSecret(ring, encryptSecret(ring, '', here), here)).toBe('');
    expect(decryptSecret(ring, encryptSecret(ring, 'clé ✓', here), here)).toBe('clé ✓');
  });

  it.each([
    ['the IV', 2],
    ['the tag', 3],
    ['the ciphertext', 4],
  ])('detects tampering with %s', (_, field) => {
    expect(() => decryptSecret(ring, flip(encryptSecret(ring, plaintext, here), field), here)).toThrow();
  });

  it('is bound to its row and its column: a ciphertext copied elsewhere does not decrypt', () => {
    const stored = encryptSecret(ring, plaintext, here);
    expect(() => decryptSecret(ring, stored, sealedIn.subscriptionSecret('sub_01JBBBBBBBBBBBBBBBBBBBBBBB'))).toThrow(
      /does not decrypt for subscriptions sub_01JBBBBBBBBBBBBBBBBBBBBBBB \(secret\): altered, or copied from another row/,
    );
    expect(() => decryptSecret(ring, stored, sealedIn.subscriptionHeaders('sub_01JAAAAAAAAAAAAAAAAAAAAAAA'))).toThrow(
      /copied from another row/,
    );
    expect(() =>
      decryptSecret(ring, stored, {
        table: 'operational_webhooks',
        id: 'sub_01JAAAAAAAAAAAAAAAAAAAAAAA',
        column: 'secret',
      }),
    ).toThrow(/copied from another row/);
  });

  it('derives its key with HKDF: the v2 key is not the SHA-256 of the master key', () => {
    const v2 = encryptSecret(ring, plaintext, here);
    const v1 = encryptV1(MASTER, plaintext);
    expect(v2.split('.')[1]).not.toBe(v1.split('.')[1]);
  });

  it('still reads the earlier format (v1, unbound), and flags it for re-encryption', () => {
    const old = encryptV1(MASTER, plaintext);
    expect(decryptSecret(ring, old, here)).toBe(plaintext);
    expect(needsReencryption(ring, old)).toBe(true);
    expect(needsReencryption(ring, encryptSecret(ring, plaintext, here))).toBe(false);
    // Under a previous master key as well.
    expect(decryptSecret(keyring('new-master-key-0123456789abcdef', [MASTER]), old, here)).toBe(plaintext);
  });

  it('refuses a ciphertext under an unknown key, naming the likely cause', () => {
    const other = keyring('another-master-key-fedcba9876543210');
    expect(() => decryptSecret(other, encryptSecret(ring, plaintext, here), here)).toThrow(
      /unknown key .*HOOKRELAY_SECRET_KEY/,
    );
    expect(() => decryptSecret(other, encryptV1(MASTER, plaintext), here)).toThrow(/unknown key/);
  });

  it('refuses a malformed value', () => {
    expect(() => decryptSecret(ring, 'whsec_plaintext', here)).toThrow(/unrecognised/);
    expect(() => decryptSecret(ring, 'v3.a.b.c.d', here)).toThrow(/unrecognised/);
    expect(() => decryptSecret(ring, 'v2.a.b.c', here)).toThrow(/unrecognised/);
  });

  it('after a master-key rotation, decrypts old values with the previous key and flags them for re-encryption', () => {
    const before = keyring('old-master-key-0123456789abcdef');
    const old = encryptSecret(before, plaintext, here);
    const after = keyring('new-master-key-0123456789abcdef', ['old-master-key-0123456789abcdef']);
    expect(decryptSecret(after, old, here)).toBe(plaintext);
    expect(needsReencryption(after, old)).toBe(true);
    const fresh = encryptSecret(after, plaintext, here);
    expect(needsReencryption(after, fresh)).toBe(false);
    expect(decryptSecret(after, fresh, here)).toBe(plaintext);
    // The old key alone cannot read what the new key wrote.
    expect(() => decryptSecret(before, fresh, here)).toThrow(/unknown key/);
  });
});

describe('hashToken', () => {
  it('is a stable SHA-256 hex digest', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('abc')).not.toBe(hashToken('abd'));
  });
});
