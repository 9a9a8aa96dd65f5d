import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A throwaway certificate authority for tests, made by the `openssl` command (node:crypto cannot
 * issue certificates): a CA, and certificates it signs for servers (`localhost`, 127.0.0.1) and
 * clients. Everything lives in a temporary directory until `remove()`.
 */
export type Issued = { cert: string; key: string; certPath: string; keyPath: string };

export type Pki = {
  dir: string;
  ca: Issued;
  /** A certificate signed by this CA. `days` < 0: already expired. `server`: for localhost and 127.0.0.1. */
  issue(name: string, opts?: { days?: number; server?: boolean; keyType?: 'ec' | 'rsa' }): Issued;
  remove(): void;
};

const openssl = (dir: string, args: string[]) =>
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

function newKey(dir: string, file: string, keyType: 'ec' | 'rsa') {
  openssl(
    dir,
    keyType === 'ec'
      ? ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]
      : ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', file],
  );
}

export function createPki(label: string): Pki {
  const dir = mkdtempSync(path.join(tmpdir(), `hookrelay-pki-${label}-`));
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  newKey(dir, 'ca.key', 'ec');
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '30',
    '-subj',
    `/CN=Hookrelay test CA ${label}`,
  ]);
  const ca: Issued = {
    cert: read('ca.pem'),
    key: read('ca.key'),
    certPath: path.join(dir, 'ca.pem'),
    keyPath: path.join(dir, 'ca.key'),
  };
  return {
    dir,
    ca,
    issue(name, opts = {}) {
      const base = name.replace(/[^a-z0-9-]/gi, '_');
      newKey(dir, `${base}.key`, opts.keyType ?? 'ec');
      openssl(dir, [
        'req',
        '-new',
        '-key',
        `${base}.key`,
        '-out',
        `${base}.csr`,
        '-subj',
        `/CN=${name}/O=Hookrelay tests`,
      ]);
      writeFileSync(
        path.join(dir, `${base}.ext`),
        opts.server
          ? 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n'
          : 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n',
      );
      openssl(dir, [
        'x509',
        '-req',
        '-in',
        `${base}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        String(opts.days ?? 30),
        '-extfile',
        `${base}.ext`,
        '-out',
        `${base}.pem`,
      ]);
      return {
        cert: read(`${base}.pem`),
        key: read(`${base}.key`),
        certPath: path.join(dir, `${base}.pem`),
        keyPath: path.join(dir, `${base}.key`),
      };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
