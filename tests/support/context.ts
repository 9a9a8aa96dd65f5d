import type { Ctx } from '../../server/domain/context';
import { keyring } from '../../server/domain/crypto';
import { createLogger } from '../../server/log';
import { createRuntime } from '../../server/runtime';
import { createTestDatabase } from './db';

export type TestCtx = Ctx & { close(): Promise<void> };

/**
 * A domain context over a test database, with the real pg-boss, built like every process's
 * (server/runtime.ts): the environment's configuration with the tests' overrides (private targets
 * allowed, bulk replays unthrottled) and then the test's own.
 */
export async function createTestContext(url: string, config: Partial<Ctx['config']> = {}): Promise<TestCtx> {
  const runtime = await createRuntime('worker', {
    url,
    dbMax: 10,
    log: createLogger('test'),
    keys: keyring('test-secret-key-0123456789abcdef'),
    applicationName: 'hookrelay-test',
    config: {
      allowPrivateTargets: true,
      retryTimeScale: 1,
      replayRatePerSecond: 1000,
      replayMinIntervalMs: 0,
      ...config,
    },
  });
  return Object.assign(runtime.ctx, { close: () => runtime.stop() });
}

/** A fresh database (db.ts) named after `label` and a test Ctx over it, whose close() also drops the database. */
export async function startTestContext(label: string, config: Partial<Ctx['config']> = {}): Promise<TestCtx> {
  const db = await createTestDatabase(label);
  const ctx = await createTestContext(db.url, config);
  return {
    ...ctx,
    async close() {
      await ctx.close();
      await db.drop();
    },
  };
}
