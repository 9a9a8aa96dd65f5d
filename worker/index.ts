import { createRuntime } from '../server/runtime';
import { env } from '../server/env';
import { createLogger } from '../server/log';
import { createSender } from '../server/domain/http-sender';
import { ensureQueues } from '../server/queue/boss';
import { startWorker } from './worker';

/**
 * `pnpm worker`: one worker process. Run as many as you like against the same database; pg-boss
 * shares the work between them. SIGTERM/SIGINT: stop fetching, finish what is in hand (bounded),
 * exit. A job not finished by then is handed back by pg-boss's expiry; nothing accepted is lost.
 */
const log = createLogger('worker');
const runtime = await createRuntime('worker');
// Queue settings come from this process's environment (e.g. DELIVERY_JOB_EXPIRE_SECONDS, how soon a
// crashed worker's jobs are handed to another): apply them at boot, not only when migrating. pg-boss
// copies them onto each job when it is sent.
await ensureQueues(runtime.ctx.boss);
const sender = createSender({ allowPrivate: env().ALLOW_PRIVATE_TARGETS, connections: 64 });
const worker = await startWorker(runtime.ctx, sender, log);
log.info({ concurrency: env().WORKER_CONCURRENCY, customerMaxInFlight: env().CUSTOMER_MAX_IN_FLIGHT }, 'worker started');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'worker stopping: no new jobs; finishing attempts in hand');
  const left = await worker.stop(20_000);
  await sender.close().catch(() => {});
  await runtime.stop();
  log.info({ unfinished: left }, 'worker stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
