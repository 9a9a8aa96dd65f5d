import { z } from 'zod';
import {
  archiveEventType,
  createEventType,
  getEventType,
  listEventTypes,
  updateEventType,
} from '../../domain/events/type-catalog';
import {
  createEventTypeInput,
  eventTypeName,
  listEventTypesInput,
  updateEventTypeInput,
} from '../../domain/events/inputs';
import { eventTypeOutput, eventTypePageOutput } from '../outputs/events';
import { authedProcedure, router } from '../trpc';

const byName = z.strictObject({ name: eventTypeName });

export const eventTypesRouter = router({
  create: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/event-types',
        status: 201,
        summary: "Add an event type to the catalog (a `schema` validates its events' `data` at publish)",
        tag: 'event-types',
        auth: 'platform',
      },
    })
    .input(createEventTypeInput)
    .output(eventTypeOutput)
    .mutation(({ ctx, input }) => createEventType(ctx.ctx, ctx.scope, input)),
  list: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/event-types',
        summary: 'The event-type catalog, by name (archived types only with `archived=true`)',
        tag: 'event-types',
        auth: 'any',
      },
    })
    .input(listEventTypesInput)
    .output(eventTypePageOutput)
    .query(({ ctx, input }) => listEventTypes(ctx.ctx, ctx.scope, input)),
  get: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/event-types/{name}',
        summary: 'One event type with its schema and example',
        tag: 'event-types',
        auth: 'any',
      },
    })
    .input(byName)
    .output(eventTypeOutput)
    .query(({ ctx, input }) => getEventType(ctx.ctx, ctx.scope, input.name)),
  update: authedProcedure
    .meta({
      rest: {
        method: 'PATCH',
        path: '/event-types/{name}',
        summary: 'Change an event type (description, schema, example; `archived: false` restores it)',
        tag: 'event-types',
        auth: 'platform',
      },
    })
    .input(updateEventTypeInput)
    .output(eventTypeOutput)
    .mutation(({ ctx, input }) => updateEventType(ctx.ctx, ctx.scope, input)),
  delete: authedProcedure
    .meta({
      rest: {
        method: 'DELETE',
        path: '/event-types/{name}',
        summary: 'Archive an event type (subscriptions to it keep working)',
        tag: 'event-types',
        auth: 'platform',
      },
    })
    .input(byName)
    .output(eventTypeOutput)
    .mutation(({ ctx, input }) => archiveEventType(ctx.ctx, ctx.scope, input.name)),
});
