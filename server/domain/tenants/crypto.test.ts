import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, hashToken, keyring, needsReencryption } from './crypto';

const ring = keyring('test-secret-key-0123456789abcdef');
const plaintext = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

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
    const stored = encryptSecret(ring, plaintext);
    expect(stored).toMatch(/^v1\.[0-9a-f]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(stored).not.toContain(plaintext.slice(6));
    expect(decryptSecret(ring, stored)).toBe(plaintext);
  });

  it('uses a fresh IV each time', () => {
    const a = encryptSecret(ring, plaintext);
    const b = encryptSecret(ring, plaintext);
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
    expect(decryptSecret(ring, b)).toBe(plaintext);
  });

  it('round-trips empty and non-ASCII plaintexts', () => {
    expect(decryptSecret(ring, encryptSecret(ring, ''))).toBe('');
    expect(decryptSecret(ring, encryptSecret(ring, 'clé ✓'))).toBe('clé ✓');
  });

  it.each([
    ['the IV', 2],
    ['the tag', 3],
    ['the ciphertext', 4],
  ])('detects tampering with %s', (_, field) => {
    expect(() => decryptSecret(ring, flip(encryptSecret(ring, plaintext), field))).toThrow();
  });

  it('refuses a ciphertext under an unknown key, naming the likely cause', () => {
    const other = keyring('another-master-key-fedcba9876543210');
    expect(() => decryptSecret(other, encryptSecret(ring, plaintext))).toThrow(/unknown key .*HOOKRELAY_SECRET_KEY/);
  });

  it('refuses a malformed value', () => {
    expect(() => decryptSecret(ring, 'whsec_plaintext')).toThrow(/unrecognised/);
    expect(() => decryptSecret(ring, 'v2.a.b.c.d')).toThrow(/unrecognised/);
    expect(() => decryptSecret(ring, 'v1.a.b.c')).toThrow(/unrecognised/);
  });

  it('after a master-key rotation, decrypts old values with the previous key and flags them for re-encryption', () => {
    const before = keyring('old-master-key-0123456789abcdef');
    const old = encryptSecret(before, plaintext);
    const after = keyring('new-master-key-0123456789abcdef', ['old-master-key-0123456789abcdef']);
    expect(decryptSecret(after, old)).toBe(plaintext);
    expect(needsReencryption(after, old)).toBe(true);
    const fresh = encryptSecret(after, plaintext);
    expect(needsReencryption(after, fresh)).toBe(false);
    expect(decryptSecret(after, fresh)).toBe(plaintext);
    // The old key alone cannot read what the new key wrote.
    expect(() => decryptSecret(before, fresh)).toThrow(/unknown key/);
  });
});

describe('hashToken', () => {
  it('is a stable SHA-256 hex digest', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('abc')).not.toBe(hashToken('abd'));
  });
});
