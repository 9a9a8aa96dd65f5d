/**
 * `pnpm start`: the production pair after `pnpm build`: `next start` and one worker against
 * DATABASE_URL. Migrations are a separate step (`pnpm db:migrate`). Scale by running more
 * `pnpm worker` processes, or web instances behind a load balancer (docs/scaling.md).
 */
import { bin, startChild, stopAll } from './lib/processes';

if (!process.env.DATABASE_URL) {
  console.error('DATABASE_URL is required in production (run pnpm db:migrate against it first). For a local try-out use pnpm dev.');
  process.exit(1);
}
const env = { ...process.env, NODE_ENV: 'production' as const };
startChild('web', bin('next'), ['start', '-p', process.env.PORT ?? '3000'], env, 36);
startChild('worker', process.execPath, ['--import', 'tsx', 'worker/index.ts'], env, 35);

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await stopAll();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
