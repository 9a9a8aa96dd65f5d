import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

/**
 * A subscription's mTLS client certificate, checked when it is saved: the certificate field holds
 * PEM `CERTIFICATE` blocks (the client certificate first, then any intermediates sent with it), the
 * private key field one unencrypted PEM private key (PKCS#8, or the traditional RSA/EC forms) that
 * belongs to the first certificate. What is stored is re-encoded from what parsed (text around the
 * blocks is dropped), so a stored credential is always one that parsed. Pure apart from the clock
 * passed in: no I/O.
 */
type CertificateInfo = {
  /** `CN=…, O=…` of the client certificate. */
  subject: string;
  issuer: string;
  /** SHA-256 of the certificate's DER, colon-separated hex (what `openssl x509 -fingerprint -sha256` prints). */
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
};

export type ParsedClientCertificate = {
  info: CertificateInfo;
  /** The chain as PEM, client certificate first. */
  certificate: string;
  /** The private key as PKCS#8 PEM. */
  privateKey: string;
};

export type CertificateProblem = { field: 'certificate' | 'privateKey'; reason: string };

/** At most this many certificates in the chain (the client certificate and its intermediates). */
export const MAX_CHAIN = 8;

type PemBlock = { label: string; body: string };

/**
 * The PEM blocks of `text` and whether anything else (other than whitespace) is there. The body is
 * checked to be base64 lines only; a block is never longer than the text, which the API bounds.
 */
export function pemBlocks(text: string): { blocks: PemBlock[]; other: boolean } {
  const blocks: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]{1,40})-----([\s\S]*?)-----END \1-----/g;
  let last = 0;
  let other = false;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (text.slice(last, m.index).trim()) other = true;
    blocks.push({ label: m[1]!, body: m[2]! });
    last = m.index + m[0].length;
  }
  if (text.slice(last).trim()) other = true;
  return { blocks, other };
}

const BASE64_BODY = /^[A-Za-z0-9+/=\s]*$/;
const KEY_LABELS = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'];
const asPem = (b: PemBlock) => `-----BEGIN ${b.label}-----${b.body}-----END ${b.label}-----\n`;

/** `CN=a\nO=b` (how node:crypto prints a name) → `CN=a, O=b`. */
const oneLine = (name: string) =>
  name
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(', ');

function parseCertificates(text: string): { certs: X509Certificate[] } | { problem: string } {
  const { blocks, other } = pemBlocks(text);
  if (blocks.length === 0)
    return { problem: 'is not a PEM certificate: expected a block starting with -----BEGIN CERTIFICATE-----' };
  if (blocks.some((b) => KEY_LABELS.includes(b.label) || b.label === 'ENCRYPTED PRIVATE KEY'))
    return { problem: 'holds a private key: give the private key in privateKey, and only certificates here' };
  const wrong = blocks.find((b) => b.label !== 'CERTIFICATE');
  if (wrong) return { problem: `holds a PEM ${wrong.label} block: only CERTIFICATE blocks are taken` };
  if (other) return { problem: 'holds text outside its PEM blocks: give only the -----BEGIN CERTIFICATE----- blocks' };
  if (blocks.length > MAX_CHAIN)
    return { problem: `holds ${blocks.length} certificates, above the limit of ${MAX_CHAIN}` };
  const certs: X509Certificate[] = [];
  for (const [i, b] of blocks.entries()) {
    const which = blocks.length > 1 ? `certificate ${i + 1} of ${blocks.length}` : 'the certificate';
    if (!BASE64_BODY.test(b.body)) return { problem: `${which} is not valid PEM (its body must be base64)` };
    try {
      certs.push(new X509Certificate(asPem(b)));
    } catch {
      return { problem: `${which} does not parse as an X.509 certificate` };
    }
  }
  return { certs };
}

function parsePrivateKey(text: string): { key: KeyObject } | { problem: string } {
  const { blocks, other } = pemBlocks(text);
  if (blocks.length === 0)
    return { problem: 'is not a PEM private key: expected a block starting with -----BEGIN PRIVATE KEY-----' };
  if (blocks.some((b) => b.label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(b.body)))
    return { problem: 'is encrypted with a passphrase: give it unencrypted (Hookrelay encrypts it at rest)' };
  if (blocks.some((b) => b.label === 'CERTIFICATE'))
    return { problem: 'holds a certificate: give the certificate in certificate, and only the key here' };
  if (blocks.length > 1) return { problem: `holds ${blocks.length} PEM blocks: give exactly one private key` };
  const block = blocks[0]!;
  if (!KEY_LABELS.includes(block.label))
    return {
      problem: `holds a PEM ${block.label} block, not a private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)`,
    };
  if (other) return { problem: 'holds text outside its PEM block: give only the private key block' };
  // The traditional forms carry headers (`Proc-Type`, `DEK-Info`) before a blank line; PKCS#8 none.
  if (block.label === 'PRIVATE KEY' && !BASE64_BODY.test(block.body))
    return { problem: 'is not valid PEM (its body must be base64)' };
  try {
    return { key: createPrivateKey({ key: asPem(block), format: 'pem' }) };
  } catch {
    return { problem: 'does not parse as a private key' };
  }
}

/** The client certificate and key as stored, or every problem found (each naming its field). */
export function parseClientCertificate(
  certificate: string,
  privateKey: string,
  now: Date,
): ParsedClientCertificate | { problems: CertificateProblem[] } {
  const problems: CertificateProblem[] = [];
  const certs = parseCertificates(certificate);
  const key = parsePrivateKey(privateKey);
  if ('problem' in certs) problems.push({ field: 'certificate', reason: certs.problem });
  if ('problem' in key) problems.push({ field: 'privateKey', reason: key.problem });
  if ('problem' in certs || 'problem' in key) return { problems };
  const leaf = certs.certs[0]!;
  const notAfter = new Date(leaf.validTo);
  const notBefore = new Date(leaf.validFrom);
  if (!leaf.checkPrivateKey(key.key)) {
    problems.push({
      field: 'privateKey',
      reason: "does not belong to the certificate (its public key is not the certificate's)",
    });
  }
  if (Number.isNaN(notAfter.getTime()) || Number.isNaN(notBefore.getTime())) {
    problems.push({ field: 'certificate', reason: 'has a validity period that cannot be read' });
  } else if (notAfter <= now) {
    problems.push({
      field: 'certificate',
      reason: `expired on ${notAfter.toISOString()}: endpoints refuse an expired client certificate`,
    });
  }
  if (problems.length) return { problems };
  return {
    info: {
      subject: oneLine(leaf.subject),
      issuer: oneLine(leaf.issuer),
      fingerprint: leaf.fingerprint256,
      notBefore,
      notAfter,
    },
    certificate: certs.certs.map((c) => c.toString()).join(''),
    privateKey: key.key.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}
