import type { Logger } from '../server/log';
import type { PollLoop } from './poll';

/** A task that `every` runs: stopped like a fetch loop, and `runNow()` ends its current wait. */
export type Periodic = PollLoop & { runNow(): void };

/** Runs `fn` every `ms` (never overlapping itself) until stopped. */
export function every(ms: number, log: Logger, name: string, fn: () => Promise<unknown>): Periodic {
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  /** Ends the current wait: the task runs again now. */
  const runNow = () => {
    clearTimeout(timer);
    wake?.();
  };
  const loop = (async () => {
    while (running) {
      try {
        await fn();
      } catch (err) {
        log.error({ err, loop: name }, 'periodic task failed; will retry');
      }
      if (!running) break; // stopped while `fn` ran: do not sleep a whole interval first
      await new Promise<void>((r) => {
        wake = r;
        timer = setTimeout(r, ms);
      });
    }
  })();
  return {
    queue: name,
    inFlight: () => 0,
    wake: runNow,
    runNow,
    async stop() {
      running = false;
      clearTimeout(timer);
      wake?.();
      await loop;
      return 0;
    },
  };
}
