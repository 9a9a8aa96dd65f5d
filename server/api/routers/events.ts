import { z } from 'zod';
import { getEvent, listEvents } from '../../domain/events/reads';
import { publishBatch, publishEventBatched } from '../../domain/events/publish';
import { idOf, listEventsInput, publishBatchInput, publishEventInput } from '../../domain/schemas';
import { eventOutput, eventPageOutput, expungedEventOutput, publishBatchOutput, publishOutput } from '../outputs';
import { authedProcedure, router } from '../trpc';
import { expungeEvent } from '../../domain/lifecycle/expunge';

export const eventsRouter = router({
  publish: authedProcedure
    .meta({
      rest: { method: 'POST', path: '/events', status: 202, summary: 'Publish an event (fans out to matching subscriptions)', tag: 'events', auth: 'any' },
    })
    .input(publishEventInput)
    .output(publishOutput)
    .mutation(({ ctx, input }) => publishEventBatched(ctx.ctx, ctx.scope, input)),
  publishBatch: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/events/batch',
        status: 202,
        summary: 'Publish up to 500 events in one transaction; one result per event, in order',
        tag: 'events',
        auth: 'any',
        batchBody: true,
      },
    })
    .input(publishBatchInput)
    .output(publishBatchOutput)
    .mutation(({ ctx, input }) => publishBatch(ctx.ctx, ctx.scope, input.events)),
  list: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/events',
        summary: 'List events (newest first, cursor pagination); a 1 KiB payload preview each unless `full=true`',
        tag: 'events',
        auth: 'any',
      },
    })
    .input(listEventsInput)
    .output(eventPageOutput)
    .query(({ ctx, input }) => listEvents(ctx.ctx, ctx.scope, input)),
  get: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/events/{id}',
        summary: 'One event with its payload, its first 50 deliveries (and their total) and routing trace',
        tag: 'events',
        auth: 'any',
      },
    })
    .input(z.strictObject({ id: idOf('event') }))
    .output(eventOutput)
    .query(({ ctx, input }) => getEvent(ctx.ctx, ctx.scope, input.id)),
  expungePayload: authedProcedure
    .meta({
      rest: {
        method: 'DELETE',
        path: '/events/{id}/payload',
        summary: "Expunge an event's payload: its data and every stored request and response body and header go; ids, types, times and statuses stay",
        tag: 'events',
        auth: 'any',
      },
    })
    .input(z.strictObject({ id: idOf('event') }))
    .output(expungedEventOutput)
    .mutation(({ ctx, input }) => expungeEvent(ctx.ctx, ctx.scope, input.id)),
});
