import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (subscription signing secrets, custom header values and endpoint credentials,
 * operational webhooks' secrets): AES-256-GCM under a key derived from HOOKRELAY_SECRET_KEY with HKDF-SHA256.
 *
 * Format `v2.<keyId>.<iv>.<tag>.<ciphertext>` (base64url). Each ciphertext is bound to its place:
 * the additional authenticated data names the table, the row id and what the value is (`secret`,
 * which covers the current and the rotated-out secret of a row, `headers` or `auth`). A ciphertext copied to
 * another row, or from one column to another, fails to decrypt rather than handing one customer's
 * secret to another's endpoint. The key id lets an operator rotate the master key: old ciphertexts
 * decrypt with a previous key until re-encrypted (docs/operations.md).
 *
 * `v1.<keyId>.<iv>.<tag>.<ciphertext>` is the earlier format (key = SHA-256 of the master key, no
 * binding): still read, and upgraded to v2 by `pnpm cli secrets reencrypt` (key-rotation.ts).
 */
type MasterKey = { v1: Buffer; v2: Buffer };
export type Keyring = { current: MasterKey; previous: MasterKey[] };

/** Where a ciphertext lives: it decrypts only there. */
export type SecretBinding = {
  table: 'subscriptions' | 'operational_webhooks';
  id: string;
  column: 'secret' | 'headers' | 'auth';
};

const HKDF_SALT = 'hookrelay/secrets-at-rest';
const HKDF_INFO = 'aes-256-gcm key v2';

function derive(master: string): MasterKey {
  return {
    v1: createHash('sha256').update(master).digest(),
    v2: Buffer.from(hkdfSync('sha256', master, HKDF_SALT, HKDF_INFO, 32)),
  };
}

export function keyring(current: string, previous: readonly string[] = []): Keyring {
  return { current: derive(current), previous: previous.map(derive) };
}

const keyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);
const aad = (b: SecretBinding) => Buffer.from(`hookrelay:${b.table}:${b.id}:${b.column}`, 'utf8');

export function encryptSecret(ring: Keyring, plaintext: string, binding: SecretBinding): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', ring.current.v2, iv);
  cipher.setAAD(aad(binding));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    'v2',
    keyId(ring.current.v2),
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    ct.toString('base64url'),
  ].join('.');
}

export function decryptSecret(ring: Keyring, stored: string, binding: SecretBinding): string {
  // Every attempt signs with its subscription's secret: a ciphertext already opened under this ring
  // and binding is not opened again (bounded; a ciphertext is never reused for another value).
  const memoKey = `${binding.table}.${binding.id}.${binding.column}.${stored}`;
  const memo = opened.get(ring)?.get(memoKey);
  if (memo !== undefined) return memo;
  const plain = open(ring, stored, binding);
  let byRing = opened.get(ring);
  if (!byRing) opened.set(ring, (byRing = new Map<string, string>()));
  if (byRing.size >= OPENED_MAX) byRing.clear();
  byRing.set(memoKey, plain);
  return plain;
}

const OPENED_MAX = 10_000;
const opened = new WeakMap<Keyring, Map<string, string>>();

function open(ring: Keyring, stored: string, binding: SecretBinding): string {
  const [version, kid, iv, tag, ct] = stored.split('.');
  if ((version !== 'v1' && version !== 'v2') || !kid || !iv || !tag || ct === undefined)
    throw new Error('unrecognised secret ciphertext');
  const key = [ring.current, ...ring.previous].map((k) => k[version]).find((k) => keyId(k) === kid);
  if (!key) throw new Error(`secret was encrypted with an unknown key (${kid}); is HOOKRELAY_SECRET_KEY right?`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  if (version === 'v2') decipher.setAAD(aad(binding));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(
      `secret does not decrypt for ${binding.table} ${binding.id} (${binding.column}): altered, or copied from another row`,
    );
  }
}

/** Whether a stored value is not yet in the current format under the current key. */
export function needsReencryption(ring: Keyring, stored: string): boolean {
  const [version, kid] = stored.split('.');
  return version !== 'v2' || kid !== keyId(ring.current.v2);
}

/** SHA-256 hex, for API keys and portal tokens (high-entropy random strings: no salt or KDF needed). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The places secrets live. */
export const sealedIn = {
  /**
   * An operational webhook is a subscription of the platform customer with id `owh_…`; its secret
   * keeps the binding it was first sealed under (`operational_webhooks`, from before those webhooks
   * were subscriptions), so that the secrets moved over by migration 0026 still open.
   */
  subscriptionSecret: (id: string): SecretBinding => ({
    table: id.startsWith('owh_') ? 'operational_webhooks' : 'subscriptions',
    id,
    column: 'secret',
  }),
  subscriptionHeaders: (id: string): SecretBinding => ({ table: 'subscriptions', id, column: 'headers' }),
  /** Endpoint auth: an mTLS private key and certificate, or OAuth2 client credentials. */
  subscriptionAuth: (id: string): SecretBinding => ({ table: 'subscriptions', id, column: 'auth' }),
};
