/**
 * The app as Playwright's webServer: a fresh database (on DATABASE_URL's server, or an embedded one
 * under .data/pg-e2e), migrated, a platform key for the specs to seed their own data through the
 * API, then `next start` (the build from `pnpm build`) and a worker. Writes test-results/e2e-env.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolveDatabase } from './lib/database';
import { bin, startChild, stopAll } from './lib/processes';

const port = Number(process.env.E2E_PORT ?? 3100);
const database = await resolveDatabase({ dir: '.data/pg-e2e', port: 54349, database: 'hr_e2e', fresh: true });
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'production',
  DATABASE_URL: database.url,
  HOOKRELAY_SECRET_KEY: 'e2e-secret-key-0123456789abcdef',
  AUTH_SECRET: 'e2e-auth-secret-0123456789abcdef0123',
  ALLOW_PRIVATE_TARGETS: 'true',
  // The development receiver, on here so that the first-use spec can check what `pnpm dev` shows.
  DEV_RECEIVER: 'true',
  RETRY_TIME_SCALE: process.env.RETRY_TIME_SCALE ?? '0.001',
  // A bulk replay re-enqueues 100 at once, then waits 100/rate seconds: at 10/s a replay of more
  // than 100 dead letters stays running for 10 s, long enough to exercise cancelling it.
  REPLAY_RATE_PER_SECOND: process.env.REPLAY_RATE_PER_SECOND ?? '10',
  // The breaker's cool-down scales with RETRY_TIME_SCALE: 60,000 s is one minute here, long enough
  // for a spec to see an open breaker and its next probe.
  BREAKER_COOLDOWN_SECONDS: process.env.BREAKER_COOLDOWN_SECONDS ?? '60000',
  LOG_LEVEL: 'warn',
  // The specs play the proxy in front of the web server: the X-Forwarded-For entry they write is the
  // client address (each sign-in test counts against an address of its own).
  TRUSTED_PROXIES: '1',
  PUBLIC_URL: `http://127.0.0.1:${port}`,
  // The embedded portal's host page in e2e/portal-embed.spec.ts: another site (localhost, not
  // 127.0.0.1) on a port of its own.
  PORTAL_FRAME_ANCESTORS: process.env.PORTAL_FRAME_ANCESTORS ?? `http://localhost:${port + 10000}`,
  METRICS_TOKEN: 'e2e-metrics-token-0123456789abcdef',
};
Object.assign(process.env, env);
const { migrateDatabase } = await import('../server/migrate');
const { createRuntime } = await import('../server/runtime');
const { createApiKey } = await import('../server/domain/tenants/api-keys');
await migrateDatabase(database.url);
const runtime = await createRuntime('web');
const platformKey = (await createApiKey(runtime.ctx, null, 'e2e')).key;
await runtime.stop();
mkdirSync('test-results', { recursive: true });
writeFileSync(
  'test-results/e2e-env.json',
  JSON.stringify({ baseUrl: `http://127.0.0.1:${port}`, platformKey, metricsToken: env.METRICS_TOKEN }),
);

startChild('web', bin('next'), ['start', '-p', String(port), '-H', '127.0.0.1'], env, 36);
startChild('worker', process.execPath, ['--import', 'tsx', 'worker/index.ts'], env, 35);

async function shutdown() {
  await stopAll(10_000);
  await database.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
