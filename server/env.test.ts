import { describe, expect, it } from 'vitest';
import { parseEnv } from './env';

describe('PUBLIC_URL', () => {
  it('is required in production, with an error naming it', () => {
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(
      /^Invalid environment:\n {2}PUBLIC_URL: is required when NODE_ENV=production/,
    );
    expect(parseEnv({ NODE_ENV: 'production', PUBLIC_URL: 'https://hooks.example.com' }).PUBLIC_URL).toBe(
      'https://hooks.example.com',
    );
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
    expect(
      parseEnv({
        WORKER_METRICS_PORT: '9464',
        WORKER_METRICS_HOST: '0.0.0.0',
        METRICS_TOKEN: 'ops-token-0123456789abcdef',
      }).WORKER_METRICS_HOST,
    ).toBe('0.0.0.0');
    expect(parseEnv({ WORKER_METRICS_PORT: '9464', WORKER_METRICS_HOST: '::1' }).WORKER_METRICS_HOST).toBe('::1');
  });
});

describe('CUSTOMER_MAX_STORED_BYTES', () => {
  it('takes plain bytes or a size with a unit; unset is no quota', () => {
    expect(parseEnv({}).CUSTOMER_MAX_STORED_BYTES).toBeUndefined();
    expect(parseEnv({ CUSTOMER_MAX_STORED_BYTES: '1048576' }).CUSTOMER_MAX_STORED_BYTES).toBe(1048576);
    expect(parseEnv({ CUSTOMER_MAX_STORED_BYTES: '10GiB' }).CUSTOMER_MAX_STORED_BYTES).toBe(10 * 2 ** 30);
    expect(parseEnv({ CUSTOMER_MAX_STORED_BYTES: ' 500 MB ' }).CUSTOMER_MAX_STORED_BYTES).toBe(500_000_000);
    expect(parseEnv({ CUSTOMER_MAX_STORED_BYTES: '2kib' }).CUSTOMER_MAX_STORED_BYTES).toBe(2048);
    expect(parseEnv({ CUSTOMER_MAX_STORED_BYTES: '1TB' }).CUSTOMER_MAX_STORED_BYTES).toBe(1e12);
  });

  it.each(['', '0', '-5', '1.5GiB', '10 GB GB', '10 gigs', 'lots', '99999999999TiB'])(
    'refuses %j, naming it',
    (value) => {
      expect(() => parseEnv({ CUSTOMER_MAX_STORED_BYTES: value })).toThrow(
        /CUSTOMER_MAX_STORED_BYTES: .*is not a size in bytes/,
      );
    },
  );
});

describe('EGRESS_PROXY_URL', () => {
  it('takes the http:// URL of a CONNECT proxy, with or without credentials; unset is no proxy', () => {
    expect(parseEnv({}).EGRESS_PROXY_URL).toBeUndefined();
    expect(parseEnv({ EGRESS_PROXY_URL: 'http://egress.internal:3128' }).EGRESS_PROXY_URL).toBe(
      'http://egress.internal:3128',
    );
    expect(parseEnv({ EGRESS_PROXY_URL: ' http://user:p%40ss@10.0.0.5:3128/ ' }).EGRESS_PROXY_URL).toBe(
      'http://user:p%40ss@10.0.0.5:3128/',
    );
  });

  it.each([
    '',
    'egress:3128',
    'https://egress.internal:3128',
    'socks5://egress:1080',
    'http://egress:3128/path',
    'http://egress:3128/?x=1',
    'http://',
  ])('refuses %j, naming it', (value) => {
    expect(() => parseEnv({ EGRESS_PROXY_URL: value })).toThrow(
      /EGRESS_PROXY_URL: must be the http:\/\/ URL of an HTTP CONNECT proxy/,
    );
  });
});
