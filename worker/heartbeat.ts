import type { Ctx } from '../server/domain/context';
import {
  HEARTBEAT_MS,
  heartbeat,
  pruneWorkers,
  removeWorker,
  type WorkerIdentity,
} from '../server/domain/upkeep/heartbeats';
import type { Logger } from '../server/log';
import { every } from './periodic';

type Heartbeat = {
  /** Time of the last heartbeat the database accepted (null before the first). */
  lastBeatAt(): Date | null;
  /** Beats now (e.g. to tell the fleet at once that this worker is draining). */
  runNow(): void;
  /** Stops beating and deletes this worker's row (a row left behind goes stale). */
  stop(): Promise<void>;
};

/**
 * Keeps this worker's heartbeat row fresh every HEARTBEAT_MS (readiness, operators' view of who runs
 * what) with its jobs in hand and whether it is stopping; about hourly, prunes rows of workers gone.
 */
export function startHeartbeat(
  ctx: Ctx,
  identity: WorkerIdentity,
  log: Logger,
  state: { inFlight(): number; stopping(): boolean },
): Heartbeat {
  let lastBeat: Date | null = null;
  let beats = 0;
  const heart = every(HEARTBEAT_MS, log, 'heartbeat', async () => {
    await heartbeat(ctx, identity, state.inFlight(), state.stopping());
    lastBeat = new Date();
    if (beats++ % 720 === 0) await pruneWorkers(ctx); // about hourly
  });
  return {
    lastBeatAt: () => lastBeat,
    runNow: () => heart.runNow(),
    async stop() {
      await heart.stop(0);
      await removeWorker(ctx, identity.id).catch((err: unknown) =>
        log.warn({ err }, 'could not remove heartbeat row; it goes stale'),
      );
    },
  };
}
