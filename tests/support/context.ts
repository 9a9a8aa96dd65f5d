import { createDatabase } from '../../server/db/client';
import type { Ctx } from '../../server/domain/context';
import { keyring } from '../../server/domain/tenants/crypto';
import { createLogger } from '../../server/log';
import { createBoss } from '../../server/queue/boss';

export type TestCtx = Ctx & { close(): Promise<void> };

/** A domain context over a test database, with the real pg-boss. */
export async function createTestContext(url: string, config: Partial<Ctx['config']> = {}): Promise<TestCtx> {
  const database = createDatabase(url, { max: 10 });
  const log = createLogger('test');
  const boss = createBoss(url, { role: 'worker', log });
  await boss.start();
  return {
    db: database.db,
    boss,
    keys: keyring('test-secret-key-0123456789abcdef'),
    log,
    now: () => new Date(),
    random: Math.random,
    config: { allowPrivateTargets: true, retryTimeScale: 1, maxPayloadBytes: 256 * 1024, customerMaxInFlight: 10, retentionDays: 30, breakerThreshold: 5, breakerCooldownMs: 30_000, replayRatePerSecond: 1000, replayMinIntervalMs: 0, customerMaxApiKeys: 20, customerMaxSubscriptions: 100, eventTypesStrict: false, ...config },
    async close() {
      await boss.stop({ graceful: false, close: true });
      await database.close();
    },
  };
}
