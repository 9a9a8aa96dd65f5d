import { createDatabase, type Database } from './db/client';
import { hasCitus } from './db/citus';
import { keyring, type Keyring } from './domain/crypto';
import type { Ctx } from './domain/context';
import { databaseUrl, env } from './env';
import { settingsFromEnv } from './settings';
import { createLogger, type Logger } from './log';
import { createBoss, type BossRole } from './queue/boss';
import { flushBeforeExit, startTracing, stopTracing, type TracingOptions } from './tracing';

/**
 * Builds the domain context for one process (web or worker) from the environment.
 * The one place that turns configuration into live connections.
 */
export type Runtime = { ctx: Ctx; database: Database; stop(): Promise<void> };

function secretKeyring() {
  const environment = env();
  if (!environment.HOOKRELAY_SECRET_KEY)
    throw new Error('HOOKRELAY_SECRET_KEY is not set (pnpm dev generates one; see docs/operations.md)');
  const previous = (environment.HOOKRELAY_SECRET_KEY_PREVIOUS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return keyring(environment.HOOKRELAY_SECRET_KEY, previous);
}

/** Where this process exports traces, or null (OTEL_EXPORTER_OTLP_ENDPOINT unset: tracing off). */
function tracingFromEnv(role: BossRole): TracingOptions | null {
  const environment = env();
  if (!environment.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
  return {
    endpoint: environment.OTEL_EXPORTER_OTLP_ENDPOINT,
    serviceName: environment.OTEL_SERVICE_NAME ?? `hookrelay-${role}`,
  };
}

type RuntimeOptions = {
  /** Database URL; default DATABASE_URL. */
  url?: string;
  dbMax?: number;
  bossMax?: number;
  log?: Logger;
  /** Secrets keyring; default from HOOKRELAY_SECRET_KEY(_PREVIOUS). */
  keys?: Keyring;
  /** Overrides on top of the environment's configuration (tests, benchmarks). */
  config?: Partial<Ctx['config']>;
  applicationName?: string;
  /** The web role's bound on waiting for a pooled connection (DATABASE_ACQUIRE_TIMEOUT_SECONDS). */
  acquireTimeoutMs?: number;
};

/**
 * The one way a domain context is built: the web process, the worker, the CLI, tests and
 * benchmarks all come here (tests and benchmarks with overrides).
 */
export async function createRuntime(role: BossRole, opts: RuntimeOptions = {}): Promise<Runtime> {
  const environment = env();
  const url = opts.url ?? databaseUrl();
  const log = opts.log ?? createLogger(role);
  // Tracing first, so nothing this process does is untraced; one SDK per process (the first runtime's).
  const tracing = tracingFromEnv(role);
  const tracingStarted = tracing ? await startTracing(tracing) : false;
  if (tracingStarted) {
    log.info({ endpoint: tracing!.endpoint, serviceName: tracing!.serviceName }, 'exporting OpenTelemetry traces');
    // The web process has no drain of its own (`next start` exits on SIGTERM): flush on the way out.
    if (role === 'web') flushBeforeExit();
  }
  // The web process bounds a request's wait for a connection (a 503 beats a request that hangs);
  // a worker's jobs wait their turn.
  const database = createDatabase(url, {
    max: opts.dbMax ?? environment.DATABASE_POOL_MAX ?? (role === 'worker' ? 20 : 10),
    applicationName: opts.applicationName ?? `hookrelay-${role}`,
    ...(role === 'web' && {
      acquireTimeoutMs: opts.acquireTimeoutMs ?? environment.DATABASE_ACQUIRE_TIMEOUT_SECONDS * 1000,
    }),
  });
  const bossMax = opts.bossMax ?? environment.QUEUE_POOL_MAX;
  const boss = createBoss(url, { role, log, ...(bossMax && { max: bossMax }) });
  await boss.start();
  const ctx: Ctx = {
    db: database.db,
    boss,
    keys: opts.keys ?? secretKeyring(),
    log,
    now: () => new Date(),
    random: Math.random,
    config: { ...settingsFromEnv().config, distributed: await hasCitus(database.sql), ...opts.config },
  };
  return {
    ctx,
    database,
    async stop() {
      await boss.stop({ graceful: false, close: true });
      await database.close();
      if (tracingStarted) await stopTracing();
    },
  };
}
