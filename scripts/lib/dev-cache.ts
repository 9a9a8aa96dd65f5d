import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `next dev` keeps Turbopack's compile cache in `.next/dev` across restarts, and the environment is
 * one of its inputs: restarted with a changed variable (ALLOW_PRIVATE_TARGETS=false pnpm dev), it
 * mixed chunks from both runs, and an open page could be told to reload on every reconnect. So the
 * cache is keyed by the environment the web app reads: when that changed since the cache was
 * written, `pnpm dev` starts from an empty one (one slower first compile), whatever changed.
 */
export function devEnvKey(env: Readonly<Record<string, string | undefined>>, names: readonly string[]): string {
  const keys = new Set([...names, ...Object.keys(env).filter((k) => /^(NEXT_|__NEXT)/.test(k))]);
  const entries = [...keys].sort().map((k) => [k, env[k] ?? null]);
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}

/** Clears `cacheDir` unless `stampFile` says it was built with `key`; then records `key`. */
export function prepareDevCache(cacheDir: string, stampFile: string, key: string): 'fresh' | 'kept' | 'cleared' {
  const stamped = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : null;
  let outcome: 'fresh' | 'kept' | 'cleared' = 'fresh';
  if (existsSync(cacheDir)) {
    if (stamped === key) outcome = 'kept';
    else {
      rmSync(cacheDir, { recursive: true, force: true });
      outcome = 'cleared';
    }
  }
  mkdirSync(path.dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, `${key}\n`);
  return outcome;
}
