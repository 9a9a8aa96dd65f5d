import { subscriptionHealth, subscriptionHealthInput } from '../../domain/insights/health';
import { customerOverview, overviewInput } from '../../domain/insights/overview';
import { authedProcedure, router } from '../trpc';

/**
 * The dashboard's overview figures. tRPC only for now: not part of the REST contract of
 * PRODUCT.md (a REST route would need its own case in routes.int.test.ts and a row in docs/api.md).
 */
export const statsRouter = router({
  overview: authedProcedure.input(overviewInput).query(({ ctx, input }) => customerOverview(ctx.ctx, ctx.scope, input)),
  /** Per subscription: success rate and p99 per bucket (sparklines) and over the window, dead letters now. */
  subscriptionHealth: authedProcedure
    .input(subscriptionHealthInput)
    .query(({ ctx, input }) => subscriptionHealth(ctx.ctx, ctx.scope, input)),
});
