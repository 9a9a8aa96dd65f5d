import { describe, expect, it } from 'vitest';
import { parseEnv } from './env';

describe('PUBLIC_URL', () => {
  it('is required in production, with an error naming it', () => {
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(/^Invalid environment:\n {2}PUBLIC_URL: is required when NODE_ENV=production/);
    expect(parseEnv({ NODE_ENV: 'production', PUBLIC_URL: 'https://hooks.example.com' }).PUBLIC_URL).toBe('https://hooks.example.com');
  });

  it('is optional in development and tests, and while Next.js builds', () => {
    expect(parseEnv({}).PUBLIC_URL).toBeUndefined();
    expect(parseEnv({ NODE_ENV: 'test' }).PUBLIC_URL).toBeUndefined();
    expect(parseEnv({ NODE_ENV: 'production', NEXT_PHASE: 'phase-production-build' }).PUBLIC_URL).toBeUndefined();
  });
});

describe('TARGET_PORTS', () => {
  it('parses ports and ranges; unset is any port', () => {
    expect(parseEnv({ TARGET_PORTS: '80, 443,8000-9000' }).TARGET_PORTS).toEqual([
      [80, 80],
      [443, 443],
      [8000, 9000],
    ]);
    expect(parseEnv({}).TARGET_PORTS).toBeUndefined();
  });

  it.each(['', 'http', '0', '70000', '9000-8000', '80,', '1-2-3'])('refuses %j, naming it', (value) => {
    expect(() => parseEnv({ TARGET_PORTS: value })).toThrow(/TARGET_PORTS: .*is not a port or a range of ports/);
  });
});

describe('WORKER_METRICS_HOST', () => {
  it('defaults to loopback', () => {
    expect(parseEnv({ WORKER_METRICS_PORT: '9464' }).WORKER_METRICS_HOST).toBe('127.0.0.1');
  });

  it('other than loopback, requires METRICS_TOKEN', () => {
    expect(() => parseEnv({ WORKER_METRICS_PORT: '9464', WORKER_METRICS_HOST: '0.0.0.0' })).toThrow(
      /METRICS_TOKEN: is required when WORKER_METRICS_HOST \(0\.0\.0\.0\) is not a loopback address/,
    );
    expect(parseEnv({ WORKER_METRICS_PORT: '9464', WORKER_METRICS_HOST: '0.0.0.0', METRICS_TOKEN: 'ops-token-0123456789abcdef' }).WORKER_METRICS_HOST).toBe(
      '0.0.0.0',
    );
    expect(parseEnv({ WORKER_METRICS_PORT: '9464', WORKER_METRICS_HOST: '::1' }).WORKER_METRICS_HOST).toBe('::1');
  });
});
