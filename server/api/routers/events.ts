import { z } from 'zod';
import { getEvent, listEvents } from '../../domain/events/event-reads';
import { publishBatch } from '../../domain/events/publish-batch';
import { publishEventBatched } from '../../domain/events/group-commit';
import { idOf } from '../../domain/inputs';
import { listEventsInput, MAX_BATCH_EVENTS, publishBatchInput, publishEventInput } from '../../domain/events/inputs';
import {
  eventOutput,
  eventPageOutput,
  expungedEventOutput,
  publishBatchOutput,
  publishOutput,
} from '../outputs/events';
import { authedProcedure, router } from '../trpc';
import { expungeEvent } from '../../domain/lifecycle/expunge';

/** The events a batch publish carries, as sent (at least 1; the schema refuses more than its maximum). */
function eventsInBatch(raw: unknown): number {
  const events = raw !== null && typeof raw === 'object' ? (raw as { events?: unknown }).events : undefined;
  return Array.isArray(events) ? Math.min(Math.max(events.length, 1), MAX_BATCH_EVENTS) : 1;
}

export const eventsRouter = router({
  publish: authedProcedure
    .meta({
      keyScope: 'publish',
      rest: {
        method: 'POST',
        path: '/events',
        status: 202,
        summary: 'Publish an event (fans out to matching subscriptions)',
        tag: 'events',
        auth: 'any',
        headerFields: [
          {
            header: 'Idempotency-Key',
            field: 'idempotencyKey',
            description: 'The same as the body field `idempotencyKey` (give either, or both with the same value)',
          },
        ],
      },
    })
    .input(publishEventInput)
    .output(publishOutput)
    .mutation(({ ctx, input }) => publishEventBatched(ctx.ctx, ctx.scope, input)),
  publishBatch: authedProcedure
    .meta({
      keyScope: 'publish',
      rest: {
        method: 'POST',
        path: '/events/batch',
        status: 202,
        summary: 'Publish up to 500 events in one transaction; one result per event, in order',
        tag: 'events',
        auth: 'any',
        batchBody: true,
        headerFields: [
          {
            header: 'Idempotency-Key',
            field: 'idempotencyKey',
            description: 'Not taken by a batch',
            refused: 'the Idempotency-Key header is not taken by a batch: give idempotencyKey on each event',
          },
        ],
      },
      // One token per event: a batch buys no more throughput than the same events one by one.
      cost: eventsInBatch,
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
        summary:
          "Expunge an event's payload: its data and every stored request and response body and header go; ids, types, times and statuses stay",
        tag: 'events',
        auth: 'any',
      },
    })
    .input(z.strictObject({ id: idOf('event') }))
    .output(expungedEventOutput)
    .mutation(({ ctx, input }) => expungeEvent(ctx.ctx, ctx.scope, input.id)),
});
