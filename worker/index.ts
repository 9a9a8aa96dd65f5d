import { createRuntime } from '../server/runtime';
import { env } from '../server/env';
import { createLogger } from '../server/log';
import { createSender } from '../server/domain/delivery/http-sender';
import { ensureQueues } from '../server/queue/boss';
import { settingsFromEnv } from '../server/settings';
import { startOpsServer } from './ops-server';
import { startWorker } from './worker';

/**
 * `pnpm worker`: one worker process. Run as many as you like against the same database; pg-boss
 * shares the work between them.
 *
 * SIGTERM/SIGINT: stop fetching, let attempts in hand finish until WORKER_SHUTDOWN_SECONDS minus a
 * small margin, hand back (fail) the jobs still running so another worker retries them within
 * seconds, close the pools, exit 0 — all within WORKER_SHUTDOWN_SECONDS. Set the orchestrator's
 * grace period (Kubernetes terminationGracePeriodSeconds, systemd TimeoutStopSec) above it.
 * SIGKILL loses nothing either: the jobs return when their lease expires (DELIVERY_JOB_EXPIRE_SECONDS).
 */
const environment = env();
const log = createLogger('worker');
const runtime = await createRuntime('worker', { log });
// Queue settings come from this process's environment (e.g. DELIVERY_JOB_EXPIRE_SECONDS, how soon a
// crashed worker's jobs are handed to another): apply them at boot, not only when migrating. pg-boss
// copies them onto each job when it is sent. Idempotent, safe with many workers.
await ensureQueues(runtime.ctx.boss, settingsFromEnv().queue);
const sender = createSender({
  allowPrivate: runtime.ctx.config.allowPrivateTargets,
  ports: runtime.ctx.config.targetPorts,
  connections: 64,
  egressProxy: environment.EGRESS_PROXY_URL ?? null,
});
const worker = await startWorker(runtime.ctx, sender, log);
const ops =
  environment.WORKER_METRICS_PORT !== undefined
    ? await startOpsServer(
        worker,
        {
          port: environment.WORKER_METRICS_PORT,
          host: environment.WORKER_METRICS_HOST,
          token: environment.METRICS_TOKEN,
        },
        log,
      )
    : null;
log.info(
  {
    workerId: worker.identity.id,
    concurrency: environment.WORKER_CONCURRENCY,
    customerMaxInFlight: runtime.ctx.config.customerMaxInFlight,
    // Where deliveries leave from (never the proxy's credentials).
    egressProxy: environment.EGRESS_PROXY_URL ? new URL(environment.EGRESS_PROXY_URL).host : null,
    metricsPort: ops?.port ?? null,
  },
  'worker started',
);

const withTimeout = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.catch(() => {}), new Promise((r) => setTimeout(r, Math.max(0, ms)).unref())]);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  const deadlineMs = environment.WORKER_SHUTDOWN_SECONDS * 1000;
  const started = Date.now();
  // Whatever happens below, the process is gone shortly after its deadline.
  setTimeout(() => {
    log.error({ signal, deadlineMs }, 'shutdown overran its deadline; exiting');
    process.exit(1);
  }, deadlineMs + 2000).unref();
  // Leave a margin after the drain for handing back jobs and closing connections.
  const margin = Math.min(3000, deadlineMs / 4);
  log.info(
    { signal, workerId: worker.identity.id, inFlight: worker.inFlight(), drainMs: deadlineMs - margin },
    'worker stopping: no new jobs; finishing attempts in hand',
  );
  const handedBack = await worker.stop(deadlineMs - margin);
  await ops?.close();
  const left = () => deadlineMs - (Date.now() - started);
  // With handed-back attempts still sending, closing the HTTP pool would wait for them: skip it.
  if (handedBack === 0) await withTimeout(sender.close(), left() / 2);
  await withTimeout(runtime.stop(), left() - 200);
  log.info({ signal, handedBack, ms: Date.now() - started }, 'worker stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
