import type { Ctx } from '../../server/domain/context';
import type { AttemptIo } from '../../server/domain/delivery/attempt';
import { loadForAttempts } from '../../server/domain/delivery/attempt-loader';
import { recordOutcomes, refill } from '../../server/domain/delivery/record';

/**
 * For tests that perform one attempt themselves (`performAttempt`): one row and one transaction per
 * attempt, unbatched, where a worker goes through runner.ts's batches.
 */
export const unbatchedIo = (ctx: Ctx): AttemptIo => ({
  load: async (ref) => (await loadForAttempts(ctx, [ref]))[0],
  record: async (o) => {
    await refill(ctx, (await recordOutcomes(ctx, [o])).freed);
  },
});
