import { customerOverview, overviewInput } from '../../domain/overview';
import { authedProcedure, router } from '../trpc';

export const statsRouter = router({
  overview: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/stats',
        summary: "A customer's attempts, success rate, latency p50/p99 and new dead letters per bucket over the last hour or day",
        tag: 'stats',
        auth: 'any',
      },
    })
    .input(overviewInput)
    .query(({ ctx, input }) => customerOverview(ctx.ctx, ctx.scope, input)),
});
