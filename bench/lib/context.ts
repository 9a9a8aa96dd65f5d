import type { Ctx } from '../../server/domain/context';
import { keyring } from '../../server/domain/crypto';
import { createLogger } from '../../server/log';
import { createRuntime } from '../../server/runtime';
import { BENCH_SECRET_KEY } from './harness';

/**
 * A domain context in the benchmark process (it publishes and seeds; workers run in their own
 * processes), built like every process's (server/runtime.ts) with the benchmark's overrides.
 */
export async function benchContext(
  url: string,
  config: Partial<Ctx['config']> = {},
): Promise<Ctx & { close(): Promise<void> }> {
  const runtime = await createRuntime('web', {
    url,
    dbMax: 16,
    bossMax: 8,
    log: createLogger('bench'),
    keys: keyring(BENCH_SECRET_KEY),
    applicationName: 'hookrelay-bench',
    // The bench is a client: on a busy machine its setup waits for connections rather than fail.
    acquireTimeoutMs: 600_000,
    config: {
      allowPrivateTargets: true,
      retryTimeScale: 1,
      replayRatePerSecond: 100,
      replayMinIntervalMs: 30_000,
      ...config,
    },
  });
  return Object.assign(runtime.ctx, { close: () => runtime.stop() });
}
