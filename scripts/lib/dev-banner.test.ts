import { describe, expect, it } from 'vitest';
import { describeDatabase, devBanner, devHost, devPlan, type DevPlan } from './dev-banner';

describe('pnpm dev', () => {
  it('listens on 127.0.0.1 unless HOST says otherwise', () => {
    expect(devHost(undefined)).toBe('127.0.0.1');
    expect(devHost('')).toBe('127.0.0.1');
    expect(devHost('0.0.0.0')).toBe('0.0.0.0');
  });

  const embedded: DevPlan = { embedded: true, seedDemo: true, allowPrivateTargets: true };
  const demo = { customerId: 'cus_1', platformKey: 'hr_plat_x', subscriptionId: 'sub_1' };
  const base = { port: 3000, plan: embedded, database: '127.0.0.1:54329/hookrelay', demo };

  it('says that it listens on loopback only, and how to open it', () => {
    const banner = devBanner({ ...base, host: '127.0.0.1' });
    expect(banner).toContain('Dashboard:     http://127.0.0.1:3000');
    expect(banner).toContain('Listening on:  127.0.0.1 only (HOST=0.0.0.0 pnpm dev');
  });

  it('warns when it is open to the network with the published demo password', () => {
    const banner = devBanner({ ...base, host: '0.0.0.0' });
    expect(banner).toContain('0.0.0.0: reachable from your network, with the published demo password');
  });

  it('says that webhooks may go to private addresses, and how to refuse them', () => {
    expect(devBanner({ ...base, host: '127.0.0.1' })).toContain(
      'Private targets: ALLOWED: webhooks may go to localhost and private networks (ALLOW_PRIVATE_TARGETS=false pnpm dev refuses them',
    );
    expect(devBanner({ ...base, host: '127.0.0.1', plan: { ...embedded, allowPrivateTargets: false } })).toContain(
      'Private targets: refused',
    );
  });

  it('names the inbox that the demo subscription delivers to, next to the curl that publishes', () => {
    const banner = devBanner({ ...base, host: '127.0.0.1' });
    expect(banner).toContain(
      'Inbox:         http://127.0.0.1:3000/dashboard/inbox   (subscription sub_1 delivers every demo event to http://127.0.0.1:3000/api/dev/receiver',
    );
    expect(banner).toContain(
      'Try:           curl -X POST http://127.0.0.1:3000/api/v1/events -H "authorization: Bearer hr_plat_x"',
    );
    expect(banner).toContain('"customerId":"cus_1"');
    // Private targets refused: no subscription to this machine, and the banner says why.
    const refused = devBanner({ ...base, host: '127.0.0.1', demo: { ...demo, subscriptionId: null } });
    expect(refused).toContain('empty: private targets are refused');
  });

  describe('what it does to the database', () => {
    it('owns the embedded one: seeds the demo and allows private targets', () => {
      expect(devPlan({ databaseUrl: undefined, args: [], allowPrivateTargets: undefined })).toEqual({
        embedded: true,
        seedDemo: true,
        allowPrivateTargets: true,
      });
      expect(devPlan({ databaseUrl: undefined, args: [], allowPrivateTargets: 'false' }).allowPrivateTargets).toBe(
        false,
      );
    });

    it('with DATABASE_URL seeds nothing and refuses private targets unless asked', () => {
      const url = 'postgres://postgres@db.example:5432/hookrelay';
      expect(devPlan({ databaseUrl: url, args: [], allowPrivateTargets: undefined })).toEqual({
        embedded: false,
        seedDemo: false,
        allowPrivateTargets: false,
      });
      expect(devPlan({ databaseUrl: url, args: ['--demo'], allowPrivateTargets: undefined })).toEqual({
        embedded: false,
        seedDemo: true,
        allowPrivateTargets: false,
      });
      expect(devPlan({ databaseUrl: url, args: [], allowPrivateTargets: 'true' }).allowPrivateTargets).toBe(true);
      expect(() => devPlan({ databaseUrl: url, args: ['--dmeo'], allowPrivateTargets: undefined })).toThrow(
        'unknown argument --dmeo',
      );
    });

    it('says what it did with DATABASE_URL', () => {
      const plan = { embedded: false, seedDemo: false, allowPrivateTargets: false };
      const banner = devBanner({
        ...base,
        host: '127.0.0.1',
        plan,
        database: describeDatabase('postgres://u:secret@db.example:5433/app'),
        demo: null,
      });
      expect(banner).toContain('Database:      db.example:5433/app (DATABASE_URL)');
      expect(banner).not.toContain('secret');
      expect(banner).toContain(
        'Seeded:        nothing (DATABASE_URL: no demo login, no platform key, no subscription; pnpm dev --demo adds them)',
      );
      expect(banner).not.toContain('Demo login');
      expect(banner).not.toContain('hr_plat_');
      expect(banner).toContain(
        'Private targets: refused, as in production (ALLOW_PRIVATE_TARGETS=true pnpm dev allows them)',
      );
      const seeded = devBanner({
        ...base,
        host: '127.0.0.1',
        plan: { ...plan, seedDemo: true },
        database: 'db.example:5432/app',
      });
      expect(seeded).toContain(
        'Seeded:        the demo customer, login, platform key and inbox subscription in DATABASE_URL (--demo)',
      );
    });
  });
});
