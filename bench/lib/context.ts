import { createDatabase } from '../../server/db/client';
import type { Ctx } from '../../server/domain/context';
import { keyring } from '../../server/domain/tenants/crypto';
import { createLogger } from '../../server/log';
import { createBoss } from '../../server/queue/boss';
import { BENCH_SECRET_KEY } from './harness';

/** A domain context in the benchmark process (it publishes and seeds; workers run in their own processes). */
export async function benchContext(url: string, config: Partial<Ctx['config']> = {}): Promise<Ctx & { close(): Promise<void> }> {
  const database = createDatabase(url, { max: 16, applicationName: 'hookrelay-bench' });
  const log = createLogger('bench');
  const boss = createBoss(url, { role: 'web', max: 8, log });
  await boss.start();
  return {
    db: database.db,
    boss,
    keys: keyring(BENCH_SECRET_KEY),
    log,
    now: () => new Date(),
    random: Math.random,
    config: {
      allowPrivateTargets: true, retryTimeScale: 1, maxPayloadBytes: 256 * 1024, customerMaxInFlight: 10, retentionDays: 30,
      breakerThreshold: 5, breakerCooldownMs: 30_000, replayRatePerSecond: 100, replayMinIntervalMs: 30_000,
      customerMaxApiKeys: 20, customerMaxSubscriptions: 100, eventTypesStrict: false, ...config,
    },
    async close() {
      await boss.stop({ graceful: false, close: true });
      await database.close();
    },
  };
}
