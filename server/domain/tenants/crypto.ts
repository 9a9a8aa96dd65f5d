import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Subscription secrets at rest: AES-256-GCM under a key derived (SHA-256) from HOOKRELAY_SECRET_KEY.
 * Format `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url). The key id lets an operator rotate the
 * master key: old ciphertexts decrypt with a previous key until re-encrypted (docs/operations.md).
 */
export type Keyring = { current: Buffer; previous: Buffer[] };

export function keyring(current: string, previous: readonly string[] = []): Keyring {
  const derive = (s: string) => createHash('sha256').update(s).digest();
  return { current: derive(current), previous: previous.map(derive) };
}

const keyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

export function encryptSecret(ring: Keyring, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', ring.current, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', keyId(ring.current), iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

export function decryptSecret(ring: Keyring, stored: string): string {
  const [version, kid, iv, tag, ct] = stored.split('.');
  if (version !== 'v1' || !kid || !iv || !tag || ct === undefined) throw new Error('unrecognised secret ciphertext');
  const key = [ring.current, ...ring.previous].find((k) => keyId(k) === kid);
  if (!key) throw new Error(`secret was encrypted with an unknown key (${kid}); is HOOKRELAY_SECRET_KEY right?`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}

export function needsReencryption(ring: Keyring, stored: string): boolean {
  return stored.split('.')[1] !== keyId(ring.current);
}

/** SHA-256 hex, for API keys and portal tokens (high-entropy random strings: no salt or KDF needed). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
