import { z } from 'zod';
import { checkJson, objectInput, text } from '../../json';
import {
  count,
  customerFilter,
  deliveryStatus,
  eventChannels,
  eventTags,
  eventType,
  eventTypeFilter,
  channelName,
  flag,
  from,
  idempotencyKey,
  idOf,
  orderingKey,
  pageOf,
  tagName,
  to,
} from '../inputs';

/** Event inputs: publishing, the event log, and the event type catalog (rules: server/domain/inputs.ts). */

export const publishEventInput = z.strictObject({
  type: eventType.meta({ examples: ['charge.succeeded'] }),
  data: checkJson(z.unknown().refine((v) => v !== undefined, 'data is required'))
    .describe(
      'Any JSON value, delivered exactly as published (numbers keep their text: `9007199254740993` stays itself)',
    )
    .meta({ examples: [{ amount: 4200, currency: 'eur' }] }),
  customerId: idOf('customer')
    .optional()
    .describe(
      'Deliver only to this customer. A platform key gives exactly one of `customerId` or `"broadcast": true`; a customer key may omit it (its own customer)',
    ),
  broadcast: z
    .boolean()
    .optional()
    .describe("`true` delivers to every customer's matching subscriptions (platform key only; not with `customerId`)"),
  idempotencyKey: idempotencyKey
    .optional()
    .describe('Publishing again with the same key (per customer, or per broadcast) returns the first event'),
  channels: eventChannels.optional(),
  tags: eventTags.optional(),
  orderingKey: orderingKey.optional(),
});
export type PublishEventInput = z.infer<typeof publishEventInput>;

/**
 * `POST /events/batch`: up to 500 events of `publishEventInput`'s form. Items are checked one by one
 * by the domain (a bad item is refused in its own result, not the whole request).
 */
export const MAX_BATCH_EVENTS = 500;
export const publishBatchInput = z.strictObject({
  events: z
    .array(z.unknown())
    .min(1)
    .max(MAX_BATCH_EVENTS)
    .describe(
      'Up to 500 events, each `{type, data, customerId | broadcast: true, idempotencyKey?, channels?, tags?, orderingKey?}`',
    )
    .meta({
      examples: [
        [
          {
            type: 'charge.succeeded',
            customerId: 'cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E',
            data: { amount: 4200 },
            idempotencyKey: 'ch_1',
          },
          { type: 'charge.refunded', customerId: 'cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E', data: { amount: 100 } },
        ],
      ],
    }),
});

export const listEventsInput = z.strictObject({
  customerId: customerFilter,
  type: eventTypeFilter.optional(),
  id: idOf('event').optional(),
  status: deliveryStatus.optional().describe('Only events with a delivery in this status'),
  subscriptionId: idOf('subscription').optional().describe('Only events delivered to this subscription'),
  tag: tagName.optional().describe('Only events with this tag'),
  channel: channelName.optional().describe('Only events in this channel'),
  from,
  to,
  full: flag.default(false).describe("Return each event's whole `payload`; by default only a 1 KiB `payloadPreview`"),
  ...pageOf('event'),
});

/** A JSON Schema (2020-12) for an event type's `data`; checked (compiled) when saved. */
const dataSchema = checkJson(
  objectInput(
    z.union([z.record(text(), z.unknown()), z.boolean()]).meta({
      examples: [{ type: 'object', required: ['amount'], properties: { amount: { type: 'integer', minimum: 0 } } }],
    }),
  ),
).describe("JSON Schema (2020-12) that a published event's `data` must satisfy");

export const eventTypeName = eventType
  .describe('The event type, e.g. `order.created`')
  .meta({ examples: ['order.created'] });

export const createEventTypeInput = z.strictObject({
  name: eventTypeName,
  description: text().max(2000).optional(),
  schema: dataSchema.optional(),
  example: checkJson(z.unknown())
    .optional()
    .describe('An example of `data`, shown in the catalog (must satisfy `schema`)'),
});
export type CreateEventTypeInput = z.infer<typeof createEventTypeInput>;

export const updateEventTypeInput = z.strictObject({
  name: eventTypeName,
  description: text().max(2000).nullable().optional(),
  schema: dataSchema.nullable().optional().describe('A new schema, or null to stop validating'),
  example: checkJson(z.unknown()).optional().describe('A new example of `data`, or null for none'),
  archived: z.boolean().optional().describe('`false` restores an archived type to the catalog'),
});
export type UpdateEventTypeInput = z.infer<typeof updateEventTypeInput>;

export const listEventTypesInput = z.strictObject({
  archived: flag.default(false).describe('Include archived types'),
  limit: count(z.coerce.number().int().min(1).max(200)).default(100).describe('Page size (1 to 200, default 100)'),
  cursor: eventType.optional().describe('`nextCursor` of the previous page'),
});
