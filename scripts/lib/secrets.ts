import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** Development secrets, generated once into .data/dev-secrets.json (never used in production). */
export type DevSecrets = { HOOKRELAY_SECRET_KEY: string; AUTH_SECRET: string; platformKey?: string };

export function loadDevSecrets(file = '.data/dev-secrets.json'): DevSecrets & { save(): void } {
  let s: DevSecrets;
  if (existsSync(file)) s = JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  else
    s = {
      HOOKRELAY_SECRET_KEY: randomBytes(32).toString('base64url'),
      AUTH_SECRET: randomBytes(32).toString('base64url'),
    };
  const save = () => {
    mkdirSync(path.dirname(file), { recursive: true });
    const { HOOKRELAY_SECRET_KEY, AUTH_SECRET, platformKey } = s;
    writeFileSync(file, JSON.stringify({ HOOKRELAY_SECRET_KEY, AUTH_SECRET, platformKey }, null, 2), { mode: 0o600 });
  };
  save();
  return Object.assign(s, { save });
}
