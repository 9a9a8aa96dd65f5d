/**
 * `pnpm start`: the production pair after `pnpm build`: `next start` and one worker against
 * DATABASE_URL. Migrations are a separate step (`pnpm db:migrate`). Scale by running more
 * `pnpm worker` processes, or web instances behind a load balancer (docs/scaling.md).
 *
 * Signals: SIGTERM/SIGINT are forwarded to both children (the worker drains within
 * WORKER_SHUTDOWN_SECONDS, `next start` closes its server); this process exits 0 once both have
 * stopped. If either child dies on its own, the other is stopped too and this process exits 1, so a
 * supervisor (systemd, Kubernetes, Docker) restarts the pair instead of running half of it.
 * Under a supervisor, run `node --import tsx scripts/start.ts` itself (pnpm does not pass SIGTERM
 * on to a script's processes, and exits at once): docs/operations.md.
 */
import type { ChildProcess } from 'node:child_process';
import { bin, startChild, stopAll } from './lib/processes';

if (!process.env.DATABASE_URL) {
  console.error(
    'DATABASE_URL is required in production (run pnpm db:migrate against it first). For a local try-out use pnpm dev.',
  );
  process.exit(1);
}
if (!process.env.PUBLIC_URL) {
  console.error(
    'PUBLIC_URL is required in production: the address users and receivers reach this deployment at, e.g. https://hooks.example.com (docs/operations.md).',
  );
  process.exit(1);
}
const env = { ...process.env, NODE_ENV: 'production' as const };
// Children get the worker's drain deadline plus a margin before SIGKILL.
const stopTimeoutMs = (Number(process.env.WORKER_SHUTDOWN_SECONDS ?? 20) + 5) * 1000;

let stopping = false;
/** Children that did not end cleanly (non-zero code, or killed after the stop timeout). */
const unclean: string[] = [];

async function shutdown(reason: string, code: number) {
  if (stopping) return;
  stopping = true;
  console.log(`hookrelay: ${reason}; stopping web and worker`);
  await stopAll(stopTimeoutMs);
  if (unclean.length > 0) console.error(`hookrelay: did not stop cleanly: ${unclean.join(', ')}`);
  process.exit(unclean.length > 0 ? 1 : code);
}

function supervise(name: string, child: ChildProcess) {
  child.once('exit', (code, signal) => {
    // After our stop request: `next start` exits 143 (SIGTERM) or 130 (SIGINT) once it has closed
    // its server; a child without a handler dies of the signal itself.
    const clean =
      code === 0 || (stopping && (code === 143 || code === 130 || signal === 'SIGTERM' || signal === 'SIGINT'));
    if (!clean) unclean.push(`${name} (${signal ?? `code ${code}`})`);
    if (!stopping) void shutdown(`${name} exited unexpectedly (${signal ?? `code ${code}`})`, 1);
  });
}

supervise('web', startChild('web', bin('next'), ['start', '-p', process.env.PORT ?? '3000'], env, 36));
// The worker runs as one node process with tsx as a loader, not under the tsx CLI: the CLI relays
// SIGTERM and SIGKILLs its child if the child does not acknowledge within 30 ms (a busy event loop
// on a loaded host), which would cut the worker's drain short.
supervise('worker', startChild('worker', process.execPath, ['--import', 'tsx', 'worker/index.ts'], env, 35));

process.on('SIGINT', () => void shutdown('SIGINT received', 0));
process.on('SIGTERM', () => void shutdown('SIGTERM received', 0));
