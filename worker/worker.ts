import type { Ctx } from '../server/domain/context';
import type { Sender } from '../server/domain/delivery/http-sender';
import { workerIdentity, type WorkerIdentity } from '../server/domain/upkeep/heartbeats';
import type { Logger } from '../server/log';
import { catalog } from '../server/queue/catalog';
import { scheduleCrons } from './crons';
import { startDispatcher } from './dispatcher';
import { jobHandlers } from './handlers';
import { startHeartbeat } from './heartbeat';
import { startJobLoops } from './job-loops';

export type RunningWorker = {
  identity: WorkerIdentity;
  /** Jobs in hand, by queue name. */
  inFlight(): Record<string, number>;
  /** Time of the last heartbeat the database accepted (null before the first). */
  lastHeartbeatAt(): Date | null;
  stopping(): boolean;
  /**
   * Graceful stop: no new jobs; attempts in hand get until the deadline, the rest are handed back to
   * the queue (failed, retried elsewhere within seconds). Returns how many were handed back.
   */
  stop(deadlineMs: number): Promise<number>;
};

/**
 * Starts one worker in this process: a fetch loop per catalog entry with its handler
 * (worker/job-loops.ts, worker/handlers.ts), the dispatcher's loops (worker/dispatcher.ts), this
 * worker's heartbeat row (worker/heartbeat.ts) and the catalog's cron schedules (worker/crons.ts).
 */
export async function startWorker(
  ctx: Ctx,
  sender: Sender,
  log: Logger,
  identity: WorkerIdentity = workerIdentity(),
): Promise<RunningWorker> {
  // A record that admitted new deliveries wakes the deliver loop: the refill is fetched at once, not after an idle nap.
  let wakeDeliver = () => {};
  const handlers = jobHandlers(ctx, sender, log, () => wakeDeliver());
  const jobLoops = startJobLoops(ctx, handlers, log);
  const deliverLoop = jobLoops.find((l) => l.queue === catalog.deliver.name);
  if (deliverLoop) wakeDeliver = () => deliverLoop.wake();
  const inFlight = () => Object.fromEntries(jobLoops.map((l) => [l.queue, l.inFlight()]));
  const inFlightTotal = () => jobLoops.reduce((n, l) => n + l.inFlight(), 0);
  const periodic = startDispatcher(ctx, log);
  let stopping = false;
  const heart = startHeartbeat(ctx, identity, log, { inFlight: inFlightTotal, stopping: () => stopping });
  await scheduleCrons(ctx.boss);
  return {
    identity,
    inFlight,
    lastHeartbeatAt: () => heart.lastBeatAt(),
    stopping: () => stopping,
    async stop(deadlineMs) {
      stopping = true;
      heart.runNow(); // tell the fleet at once that this worker is draining
      const left = await Promise.all([...jobLoops, ...periodic].map((l) => l.stop(deadlineMs)));
      await heart.stop();
      return left.reduce((a, b) => a + b, 0);
    },
  };
}
