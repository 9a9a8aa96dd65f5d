import type { Ctx } from '../server/domain/context';
import { dispatchTick } from '../server/domain/delivery/dispatcher';
import { sweep } from '../server/domain/delivery/sweep';
import { expireBehindBreaker } from '../server/domain/delivery/breaker-expiry';
import { sweepStates } from '../server/domain/delivery/holds';
import { env } from '../server/env';
import type { Logger } from '../server/log';
import { every, type Periodic } from './periodic';

/** A delivery queued for longer than any deliver job can live (its job is gone): release its window slot. */
const SWEEP_STALE_MS = 6 * 3600_000;

/**
 * Flow control: every worker runs the dispatcher; an advisory lock lets one tick at a time. The
 * sweep releases stale window slots, dead-letters deliveries whose retry window ended behind an open
 * breaker, and holds or releases deliveries whose subscription changed state under them.
 */
export function startDispatcher(ctx: Ctx, log: Logger): Periodic[] {
  return [
    every(env().DISPATCH_INTERVAL_MS, log, 'dispatch', () => dispatchTick(ctx)),
    every(5000, log, 'sweep', async () => {
      await sweep(ctx, SWEEP_STALE_MS);
      const expired = await expireBehindBreaker(ctx);
      if (expired > 0)
        log.warn(
          { expired },
          'retry windows ended behind open circuit breakers: deliveries dead-lettered without an attempt',
        );
      const states = await sweepStates(ctx);
      if (states.held + states.released > 0)
        log.info(
          states,
          'held or released deliveries whose subscription changed state during their fan-out or attempt',
        );
    }),
  ];
}
