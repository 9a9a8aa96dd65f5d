import { z } from 'zod';
import type { replayView } from '../../domain/replay/bulk';
import type { previewBackfill } from '../../domain/replay/backfill';
import { covers, timestamp, nullableTimestamp, pageOf } from './base';

export const replayOutput = covers<Awaited<ReturnType<typeof replayView>>>()(
  z
    .strictObject({
      id: z.string(),
      customerId: z.string(),
      filter: z.strictObject({
        subscriptionId: z.string().optional(),
        eventType: z.string().optional(),
        eventTypes: z.array(z.string()).optional().describe('A backfill narrowed to these event types or patterns'),
        from: timestamp.optional(),
        to: timestamp.optional(),
      }),
      kind: z
        .enum(['replay', 'backfill'])
        .describe(
          '`replay`: dead letters sent again ("replay all"); `backfill`: past events a subscription never received, sent to it ("send past events")',
        ),
      status: z.enum(['running', 'completed', 'cancelled']),
      total: z
        .number()
        .int()
        .describe(
          'A replay: dead letters to re-enqueue. A backfill: events of matching types in its range, to examine',
        ),
      enqueued: z.number().int().describe('Deliveries enqueued so far (a backfill: events sent)'),
      skipped: z
        .number()
        .int()
        .describe('A backfill: events examined that the subscription had already received (0 for a replay)'),
      filteredOut: z
        .number()
        .int()
        .describe("A backfill: events examined that the subscription's payload filter excludes (0 for a replay)"),
      delivered: z.number().int(),
      failed: z.number().int(),
      inFlight: z.number().int(),
      createdAt: timestamp,
      finishedAt: nullableTimestamp,
    })
    .meta({ id: 'BulkReplay' }),
);
export const replayPageOutput = pageOf(replayOutput, 'BulkReplayPage');

export const backfillOutput = replayOutput
  .extend({
    clampedFrom: nullableTimestamp.describe(
      "The `from` asked for, when it was older than the customer's retention window: the backfill starts at `filter.from` instead. Null otherwise",
    ),
  })
  .meta({ id: 'Backfill' });
export const backfillPreviewOutput = covers<Awaited<ReturnType<typeof previewBackfill>>>()(
  z
    .strictObject({
      count: z.number().int().describe('Events a backfill of this range would send now'),
      capped: z
        .boolean()
        .describe(
          'True when the range holds more events of matching types than a preview examines (100,000): `count` covers the first of them only',
        ),
      examined: z.number().int().describe('Events of matching types examined (at most 100,000)'),
      from: timestamp.describe('Where the range starts (after clamping to the retention window)'),
      to: timestamp,
      clampedFrom: nullableTimestamp.describe(
        'The `from` asked for, when it was older than the retention window; null otherwise',
      ),
    })
    .meta({ id: 'BackfillPreview' }),
);
export const createdReplayOutput = replayOutput
  .extend({ existing: z.boolean().describe('True when a running replay was returned instead of starting one') })
  .meta({ id: 'CreatedBulkReplay' });
