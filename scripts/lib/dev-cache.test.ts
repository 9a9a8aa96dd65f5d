import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { devEnvKey, prepareDevCache } from './dev-cache';

describe("pnpm dev's compile cache", () => {
  const names = ['ALLOW_PRIVATE_TARGETS', 'DATABASE_URL'];

  it('is keyed by the variables the app reads, not by the rest of the shell', () => {
    const a = devEnvKey({ ALLOW_PRIVATE_TARGETS: 'true', DATABASE_URL: 'postgres://x/db', PWD: '/a' }, names);
    expect(
      devEnvKey({ ALLOW_PRIVATE_TARGETS: 'true', DATABASE_URL: 'postgres://x/db', PWD: '/b', SHLVL: '2' }, names),
    ).toBe(a);
    expect(devEnvKey({ ALLOW_PRIVATE_TARGETS: 'false', DATABASE_URL: 'postgres://x/db' }, names)).not.toBe(a);
    expect(
      devEnvKey({ ALLOW_PRIVATE_TARGETS: 'true', DATABASE_URL: 'postgres://x/db', NEXT_PUBLIC_X: '1' }, names),
    ).not.toBe(a);
  });

  it('starts empty when the environment changed since it was written, and is kept when not', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hr-dev-cache-'));
    const cache = path.join(root, '.next/dev');
    const stamp = path.join(root, '.next/dev-env.sha256');
    expect(prepareDevCache(cache, stamp, 'k1')).toBe('fresh');
    mkdirSync(cache, { recursive: true });
    writeFileSync(path.join(cache, 'chunk.js'), 'built with k1');
    expect(prepareDevCache(cache, stamp, 'k1')).toBe('kept');
    expect(existsSync(path.join(cache, 'chunk.js'))).toBe(true);
    expect(prepareDevCache(cache, stamp, 'k2')).toBe('cleared');
    expect(existsSync(cache)).toBe(false);
  });

  it('does not trust a cache written before it was keyed', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hr-dev-cache-'));
    const cache = path.join(root, '.next/dev');
    mkdirSync(cache, { recursive: true });
    expect(prepareDevCache(cache, path.join(root, '.next/dev-env.sha256'), 'k1')).toBe('cleared');
  });
});
