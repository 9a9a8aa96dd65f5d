import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * A secret as Hookrelay stored it before ciphertexts were bound to their row (format v1: AES-256-GCM
 * under SHA-256 of the master key, no additional data), for tests that read and upgrade old rows.
 */
export function encryptV1(master: string, plaintext: string): string {
  const key = createHash('sha256').update(master).digest();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const kid = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return [
    'v1',
    kid,
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    ct.toString('base64url'),
  ].join('.');
}
