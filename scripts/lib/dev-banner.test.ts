import { describe, expect, it } from 'vitest';
import { devBanner, devHost } from './dev-banner';

describe('pnpm dev', () => {
  it('listens on 127.0.0.1 unless HOST says otherwise', () => {
    expect(devHost(undefined)).toBe('127.0.0.1');
    expect(devHost('')).toBe('127.0.0.1');
    expect(devHost('0.0.0.0')).toBe('0.0.0.0');
  });

  const base = { port: 3000, customerId: 'cus_1', platformKey: 'hr_plat_x' };

  it('says that it listens on loopback only, and how to open it', () => {
    const banner = devBanner({ ...base, host: '127.0.0.1', allowPrivateTargets: true });
    expect(banner).toContain('Dashboard:     http://127.0.0.1:3000');
    expect(banner).toContain('Listening on:  127.0.0.1 only (HOST=0.0.0.0 pnpm dev');
  });

  it('warns when it is open to the network with the published demo password', () => {
    const banner = devBanner({ ...base, host: '0.0.0.0', allowPrivateTargets: true });
    expect(banner).toContain('0.0.0.0: reachable from your network, with the published demo password');
  });

  it('says that webhooks may go to private addresses, and how to refuse them', () => {
    expect(devBanner({ ...base, host: '127.0.0.1', allowPrivateTargets: true })).toContain(
      'Private targets: ALLOWED: webhooks may go to localhost and private networks (ALLOW_PRIVATE_TARGETS=false pnpm dev refuses them',
    );
    expect(devBanner({ ...base, host: '127.0.0.1', allowPrivateTargets: false })).toContain('Private targets: refused');
  });
});
