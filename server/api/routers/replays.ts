import { z } from 'zod';
import { cancelBulkReplay, createBulkReplay, getBulkReplay, listBulkReplays } from '../../domain/replay/bulk';
import { createReplayInput, listReplaysInput } from '../../domain/replay/inputs';
import { idOf } from '../../domain/inputs';
import { createdReplayOutput, replayOutput, replayPageOutput } from '../outputs/replays';
import { authedProcedure, router } from '../trpc';

export const replaysRouter = router({
  create: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/replays',
        status: 202,
        summary: 'Replay all dead letters matching a filter (one bulk job; returns the running one if any)',
        tag: 'replays',
        auth: 'any',
      },
    })
    .input(createReplayInput)
    .output(createdReplayOutput)
    .mutation(({ ctx, input }) => createBulkReplay(ctx.ctx, ctx.scope, input)),
  list: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/replays',
        summary: 'Recent bulk replays with progress',
        tag: 'replays',
        auth: 'any',
      },
    })
    .input(listReplaysInput)
    .output(replayPageOutput)
    .query(({ ctx, input }) => listBulkReplays(ctx.ctx, ctx.scope, input)),
  get: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/replays/{id}',
        summary: 'Progress of a bulk replay: total, enqueued, delivered, failed',
        tag: 'replays',
        auth: 'any',
      },
    })
    .input(z.strictObject({ id: idOf('replay') }))
    .output(replayOutput)
    .query(({ ctx, input }) => getBulkReplay(ctx.ctx, ctx.scope, input.id)),
  cancel: authedProcedure
    .meta({
      rest: {
        method: 'DELETE',
        path: '/replays/{id}',
        summary: 'Cancel a running bulk replay',
        tag: 'replays',
        auth: 'any',
      },
    })
    .input(z.strictObject({ id: idOf('replay') }))
    .output(replayOutput)
    .mutation(({ ctx, input }) => cancelBulkReplay(ctx.ctx, ctx.scope, input.id)),
});
