import { z } from 'zod';
import { getEvent, listEvents } from '../../domain/events/reads';
import { publishEventBatched } from '../../domain/events/publish';
import { idOf, listEventsInput, publishEventInput } from '../../domain/schemas';
import { eventOutput, eventPageOutput, publishOutput } from '../outputs';
import { authedProcedure, router } from '../trpc';

export const eventsRouter = router({
  publish: authedProcedure
    .meta({ rest: { method: 'POST', path: '/events', status: 202, summary: 'Publish an event (fans out to matching subscriptions)', tag: 'events', auth: 'any' } })
    .input(publishEventInput)
    .output(publishOutput)
    .mutation(({ ctx, input }) => publishEventBatched(ctx.ctx, ctx.scope, input)),
  list: authedProcedure
    .meta({ rest: { method: 'GET', path: '/events', summary: 'List events (newest first, cursor pagination); a 1 KiB payload preview each unless `full=true`', tag: 'events', auth: 'any' } })
    .input(listEventsInput)
    .output(eventPageOutput)
    .query(({ ctx, input }) => listEvents(ctx.ctx, ctx.scope, input)),
  get: authedProcedure
    .meta({ rest: { method: 'GET', path: '/events/{id}', summary: 'One event with its payload, its first 50 deliveries (and their total) and routing trace', tag: 'events', auth: 'any' } })
    .input(z.strictObject({ id: idOf('event') }))
    .output(eventOutput)
    .query(({ ctx, input }) => getEvent(ctx.ctx, ctx.scope, input.id)),
});
