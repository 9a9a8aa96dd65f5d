import { createDatabase, type Database } from './db/client';
import { keyring } from './domain/tenants/crypto';
import type { Ctx } from './domain/context';
import { databaseUrl, env } from './env';
import { createLogger, type Logger } from './log';
import { createBoss, type BossRole } from './queue/boss';

/**
 * Builds the domain context for one process (web or worker) from the environment.
 * The one place that turns configuration into live connections.
 */
export type Runtime = { ctx: Ctx; database: Database; stop(): Promise<void> };

export function secretKeyring() {
  const e = env();
  if (!e.HOOKRELAY_SECRET_KEY) throw new Error('HOOKRELAY_SECRET_KEY is not set (pnpm dev generates one; see docs/operations.md)');
  const previous = (e.HOOKRELAY_SECRET_KEY_PREVIOUS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return keyring(e.HOOKRELAY_SECRET_KEY, previous);
}

export async function createRuntime(role: BossRole, opts: { dbMax?: number; log?: Logger } = {}): Promise<Runtime> {
  const e = env();
  const url = databaseUrl();
  const log = opts.log ?? createLogger(role);
  const database = createDatabase(url, { max: opts.dbMax ?? e.DATABASE_POOL_MAX ?? (role === 'worker' ? 20 : 10), applicationName: `hookrelay-${role}` });
  const boss = createBoss(url, { role, log, ...(e.QUEUE_POOL_MAX && { max: e.QUEUE_POOL_MAX }) });
  await boss.start();
  const ctx: Ctx = {
    db: database.db,
    boss,
    keys: secretKeyring(),
    log,
    now: () => new Date(),
    random: Math.random,
    config: {
      allowPrivateTargets: e.ALLOW_PRIVATE_TARGETS,
      retryTimeScale: e.RETRY_TIME_SCALE,
      maxPayloadBytes: e.MAX_PAYLOAD_BYTES,
      customerMaxInFlight: e.CUSTOMER_MAX_IN_FLIGHT,
      retentionDays: e.RETENTION_DAYS,
      breakerThreshold: e.BREAKER_THRESHOLD,
      breakerCooldownMs: e.BREAKER_COOLDOWN_SECONDS * 1000,
      replayRatePerSecond: e.REPLAY_RATE_PER_SECOND,
      replayMinIntervalMs: e.REPLAY_MIN_INTERVAL_SECONDS * 1000,
      customerMaxApiKeys: e.CUSTOMER_MAX_API_KEYS,
      customerMaxSubscriptions: e.CUSTOMER_MAX_SUBSCRIPTIONS,
      publicUrl: e.PUBLIC_URL,
    },
  };
  return {
    ctx,
    database,
    async stop() {
      await boss.stop({ graceful: false, close: true });
      await database.close();
    },
  };
}
