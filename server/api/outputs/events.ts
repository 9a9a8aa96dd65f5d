import { z } from 'zod';
import { deliveryRoutes } from '../../../drizzle/schema/values';
import type { PublishResult } from '../../domain/events/prepare-event';
import type { publishBatch } from '../../domain/events/publish-batch';
import type { EventTypeView } from '../../domain/events/type-catalog';
import { errorCodes } from '../../domain/errors';
import type { getEvent, listEvents } from '../../domain/events/event-reads';
import type { ExpungedEvent } from '../../domain/lifecycle/expunge';
import { covers, timestamp, nullableTimestamp, pageOf } from './base';
import { deliveryOutput } from './deliveries';

export const publishOutput = covers<PublishResult>()(
  z
    .strictObject({
      id: z.string(),
      deliveries: z
        .number()
        .int()
        .nullable()
        .describe('Deliveries created; null while a fan-out job creates them (broadcasts, very many subscriptions)'),
      duplicate: z.boolean().describe('True when the idempotency key returned an earlier event'),
    })
    .meta({ id: 'PublishResult' }),
);

const eventHead = {
  id: z.string(),
  type: z.string(),
  customerId: z.string().nullable().describe('Null for a broadcast'),
  idempotencyKey: z.string().nullable(),
  channels: z.array(z.string()).describe('The channels the event is in (routing)'),
  tags: z.array(z.string()).describe('Labels for search'),
  orderingKey: z.string().nullable().describe('Its ordering lane within each subscription (null: unordered)'),
  deliveryCount: z.number().int().nullable(),
  fannedOut: z.boolean(),
  createdAt: timestamp,
  retentionUntil: timestamp,
  payloadExpungedAt: nullableTimestamp.describe(
    'When the payload was expunged (`DELETE /events/{id}/payload`): `payload` is then null',
  ),
};
const statusCounts = z.record(z.string(), z.number().int()).describe('Deliveries by status');

type EventListItem = Awaited<ReturnType<typeof listEvents>>['data'][number];
const eventListItemOutput = covers<EventListItem>()(
  z
    .strictObject({
      ...eventHead,
      payloadBytes: z.number().int(),
      payloadPreview: z.string().describe('The first 1 KiB of the delivered body'),
      payloadTruncated: z.boolean(),
      payload: z.unknown().optional().describe('The whole delivered body, parsed (only with `full=true`)'),
      deliveryStatus: statusCounts,
    })
    .meta({ id: 'EventListItem' }),
);
export const eventPageOutput = pageOf(eventListItemOutput, 'EventPage');

type EventDetail = Awaited<ReturnType<typeof getEvent>>;
const fieldIssue = z.strictObject({ field: z.string().optional(), reason: z.string() });
export const publishBatchOutput = covers<Awaited<ReturnType<typeof publishBatch>>>()(
  z
    .strictObject({
      results: z
        .array(
          z.union([
            publishOutput,
            z.strictObject({
              error: z.strictObject({
                code: z.enum(errorCodes),
                field: z.string().optional(),
                reason: z.string(),
                errors: z.array(fieldIssue).optional().describe('Every problem, when there are several'),
              }),
            }),
          ]),
        )
        .describe('One result per event, in order: the accepted event, or why it was refused'),
    })
    .meta({ id: 'PublishBatchResult' }),
);

export const eventOutput = covers<EventDetail>()(
  z
    .strictObject({
      ...eventHead,
      payload: z.unknown().describe('The delivered body `{id, type, timestamp, data}`, parsed (null once expunged)'),
      deliveries: z.array(deliveryOutput).describe('The first 50 deliveries'),
      deliveriesTotal: z.number().int(),
      deliveryStatus: statusCounts,
      routing: z.array(
        z.strictObject({
          subscriptionId: z.string(),
          url: z.string(),
          eventTypes: z.array(z.string()),
          decision: z.enum([...deliveryRoutes, 'not_matched', 'filtered']),
          matched: z.boolean(),
          reason: z.string(),
          failedCondition: z
            .string()
            .nullable()
            .describe('For `filtered`: the filter condition that did not hold; null otherwise'),
        }),
      ),
    })
    .meta({ id: 'Event' }),
);

export const eventTypeOutput = covers<EventTypeView>()(
  z
    .strictObject({
      name: z.string(),
      description: z.string().nullable(),
      schema: z.unknown().describe('JSON Schema (2020-12) for `data`, or null'),
      example: z.unknown().describe('An example `data`, or null'),
      archived: z.boolean(),
      archivedAt: nullableTimestamp,
      createdAt: timestamp,
      updatedAt: timestamp,
    })
    .meta({ id: 'EventType' }),
);
export const eventTypePageOutput = pageOf(eventTypeOutput, 'EventTypePage');

export const expungedEventOutput = covers<ExpungedEvent>()(
  z
    .strictObject({
      id: z.string(),
      expungedAt: timestamp.describe('When the payload was expunged (the first time, when expunged again)'),
      deliveriesEnded: z
        .number()
        .int()
        .describe('Pending or held deliveries this request ended as dead ("payload expunged")'),
    })
    .meta({ id: 'ExpungedEvent' }),
);
