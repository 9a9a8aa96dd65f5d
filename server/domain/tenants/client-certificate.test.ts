import { createPrivateKey, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Issued, type Pki } from '../../../tests/support/certificates';
import { MAX_CHAIN, parseClientCertificate, pemBlocks } from './client-certificate';

let pki: Pki;
let client: Issued;
let other: Issued;
let rsa: Issued;
let expired: Issued;
const now = () => new Date();

beforeAll(() => {
  pki = createPki('unit');
  client = pki.issue('client-a');
  other = pki.issue('client-b');
  rsa = pki.issue('client-rsa', { keyType: 'rsa' });
  expired = pki.issue('client-old', { days: -1 });
});

afterAll(() => pki?.remove());

const problemsOf = (cert: string, key: string) => {
  const out = parseClientCertificate(cert, key, now());
  return 'problems' in out ? out.problems : [];
};

describe('parseClientCertificate: a client certificate and its key', () => {
  it('reads subject, issuer, SHA-256 fingerprint and validity, and stores re-encoded PEM', () => {
    const out = parseClientCertificate(client.cert, client.key, now());
    if ('problems' in out) throw new Error(JSON.stringify(out.problems));
    const x509 = new X509Certificate(client.cert);
    expect(out.info).toEqual({
      subject: 'CN=client-a, O=Hookrelay tests',
      issuer: 'CN=Hookrelay test CA unit',
      fingerprint: x509.fingerprint256,
      notBefore: new Date(x509.validFrom),
      notAfter: new Date(x509.validTo),
    });
    expect(out.info.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(out.certificate).toBe(x509.toString());
    expect(out.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(createPrivateKey(out.privateKey).asymmetricKeyType).toBe('ec');
  });

  it('takes RSA keys and the traditional PEM forms (RSA PRIVATE KEY, EC PRIVATE KEY), stored as PKCS#8', () => {
    const pkcs1 = createPrivateKey(rsa.key).export({ type: 'pkcs1', format: 'pem' }) as string;
    const sec1 = createPrivateKey(client.key).export({ type: 'sec1', format: 'pem' }) as string;
    expect(pkcs1).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(sec1).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    for (const [cert, key] of [
      [rsa.cert, rsa.key],
      [rsa.cert, pkcs1],
      [client.cert, sec1],
    ] as const) {
      const out = parseClientCertificate(cert, key, now());
      expect('problems' in out ? out.problems : []).toEqual([]);
      if (!('problems' in out)) expect(out.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    }
  });

  it('takes a chain (the client certificate first, then intermediates) and keeps it in order; CRLF line ends too', () => {
    const out = parseClientCertificate(`${client.cert}\n${pki.ca.cert}`.replace(/\n/g, '\r\n'), client.key, now());
    if ('problems' in out) throw new Error(JSON.stringify(out.problems));
    expect(out.info.subject).toBe('CN=client-a, O=Hookrelay tests');
    expect(pemBlocks(out.certificate).blocks).toHaveLength(2);
    expect(out.certificate).toBe(
      new X509Certificate(client.cert).toString() + new X509Certificate(pki.ca.cert).toString(),
    );
  });

  it('refuses a key that belongs to another certificate, naming privateKey', () => {
    expect(problemsOf(client.cert, other.key)).toEqual([
      { field: 'privateKey', reason: "does not belong to the certificate (its public key is not the certificate's)" },
    ]);
    // The chain's first certificate is the one presented: a key of an intermediate does not do.
    expect(problemsOf(`${client.cert}${pki.ca.cert}`, pki.ca.key)[0]?.field).toBe('privateKey');
  });

  it('refuses an expired certificate', () => {
    expect(problemsOf(expired.cert, expired.key)).toEqual([
      { field: 'certificate', reason: expect.stringMatching(/^expired on \d{4}-.*Z: endpoints refuse/) },
    ]);
  });

  // Lazily: the certificates exist only once beforeAll has run.
  it.each<[string, () => string, RegExp]>([
    ['not PEM at all', () => 'hello', /^is not a PEM certificate/],
    [
      'base64 DER without the PEM lines',
      () => new X509Certificate(client.cert).raw.toString('base64'),
      /^is not a PEM certificate/,
    ],
    ['a private key', () => client.key, /^holds a private key: give the private key in privateKey/],
    [
      'a certificate request',
      () => '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n',
      /^holds a PEM CERTIFICATE REQUEST block/,
    ],
    ['text around the block', () => `subject=CN = client-a\n${client.cert}`, /^holds text outside its PEM blocks/],
    [
      'a block that is not base64',
      () => '-----BEGIN CERTIFICATE-----\n<script>alert(1)</script>\n-----END CERTIFICATE-----\n',
      /^the certificate is not valid PEM/,
    ],
    [
      'base64 that is no certificate',
      () =>
        `-----BEGIN CERTIFICATE-----\n${Buffer.from('not a certificate at all').toString('base64')}\n-----END CERTIFICATE-----\n`,
      /^the certificate does not parse as an X\.509 certificate/,
    ],
    ['a block that never ends', () => '-----BEGIN CERTIFICATE-----\nMIIB', /^is not a PEM certificate/],
  ])('refuses a certificate field holding %s, naming certificate', (_, cert, reason) => {
    const problems = problemsOf(cert(), client.key);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field: 'certificate', reason: expect.stringMatching(reason) });
  });

  it('names the bad certificate of a chain, and refuses a chain that is too long', () => {
    const bad = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(problemsOf(`${client.cert}${bad}`, client.key)).toEqual([
      { field: 'certificate', reason: 'certificate 2 of 2 does not parse as an X.509 certificate' },
    ]);
    expect(problemsOf(client.cert.repeat(MAX_CHAIN + 1), client.key)).toEqual([
      { field: 'certificate', reason: `holds ${MAX_CHAIN + 1} certificates, above the limit of ${MAX_CHAIN}` },
    ]);
  });

  it.each<[string, () => string, RegExp]>([
    ['not PEM at all', () => 'hunter2', /^is not a PEM private key/],
    ['a certificate', () => client.cert, /^holds a certificate: give the certificate in certificate/],
    ['two keys', () => `${client.key}${other.key}`, /^holds 2 PEM blocks: give exactly one private key/],
    [
      'a public key',
      () => '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
      /^holds a PEM PUBLIC KEY block, not a private key/,
    ],
    [
      'garbage in a key block',
      () => '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      /^does not parse as a private key/,
    ],
  ])('refuses a privateKey field holding %s, naming privateKey', (_, key, reason) => {
    const problems = problemsOf(client.cert, key());
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field: 'privateKey', reason: expect.stringMatching(reason) });
  });

  it('refuses a key encrypted with a passphrase, in either PEM form', () => {
    const key = createPrivateKey(client.key);
    const pkcs8 = key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string;
    const sec1 = key.export({ type: 'sec1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string;
    expect(pkcs8).toMatch(/BEGIN ENCRYPTED PRIVATE KEY/);
    expect(sec1).toMatch(/Proc-Type: 4,ENCRYPTED/);
    for (const k of [pkcs8, sec1])
      expect(problemsOf(client.cert, k)).toEqual([
        { field: 'privateKey', reason: expect.stringMatching(/^is encrypted with a passphrase/) },
      ]);
  });

  it('reports a problem in each field at once', () => {
    expect(problemsOf('nope', 'nope').map((p) => p.field)).toEqual(['certificate', 'privateKey']);
  });

  it('gets through a field of unterminated BEGIN lines (as long as the API allows) without trouble', () => {
    const hostile = '-----BEGIN CERTIFICATE-----\n'.repeat(Math.floor((32 * 1024) / 28));
    expect(problemsOf(hostile, client.key)).toEqual([
      { field: 'certificate', reason: expect.stringMatching(/^is not a PEM certificate/) },
    ]);
  });
});
