import { z } from 'zod';
import type { getDelivery, listDeliveries } from '../../domain/delivery/delivery-reads';
import { deliveryStatuses } from '../../../drizzle/schema/values';
import type { BlockedLane } from '../../domain/delivery/lanes';
import { covers, timestamp, nullableTimestamp, pageOf } from './base';

/** server/domain/delivery/waiting.ts `Waiting`: what a delivery (or a subscription's deliveries) waits for, and when it goes. */
export const waitingOutput = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('scheduled'), at: timestamp.describe('Its next attempt (in the past: due now)') }),
    z
      .strictObject({ kind: z.literal('sending') })
      .describe('Admitted: its attempt is queued for a worker or on the wire'),
    z
      .strictObject({ kind: z.literal('window') })
      .describe("Due: waiting for a free slot in the subscription's in-flight window"),
    z.strictObject({ kind: z.literal('rate-limit') }).describe("Due: waiting for the subscription's rate limit"),
    z.strictObject({
      kind: z.literal('breaker'),
      at: nullableTimestamp.describe("The circuit breaker's probe (null: a probe is in flight now)"),
      deadAt: nullableTimestamp.describe('Its retry window ends before the probe: then it becomes a dead letter'),
    }),
    z.strictObject({ kind: z.literal('paused') }).describe('Held until the subscription is resumed'),
    z.strictObject({
      kind: z.literal('disabled'),
      reason: z.string().describe('Why Hookrelay disabled the subscription'),
    }),
  ])
  .nullable()
  .describe(
    'What it is waiting for and when it goes; null: nothing (finished, or for a subscription: nothing holds its deliveries back)',
  )
  .meta({ id: 'Waiting' });

type DeliveryItem = Awaited<ReturnType<typeof listDeliveries>>['data'][number];
export const deliveryOutput = covers<DeliveryItem>()(
  z
    .strictObject({
      id: z.string(),
      eventId: z.string(),
      subscriptionId: z.string(),
      customerId: z.string(),
      eventType: z.string(),
      orderingKey: z
        .string()
        .nullable()
        .describe("The event's ordering key: this delivery goes after the earlier ones of its lane"),
      status: z.enum(deliveryStatuses),
      attemptCount: z.number().int(),
      nextAttemptAt: nullableTimestamp,
      lastAttemptAt: nullableTimestamp,
      lastResponseStatus: z.number().int().nullable(),
      lastError: z.string().nullable(),
      replayCount: z.number().int(),
      createdAt: timestamp,
      completedAt: nullableTimestamp,
      waiting: waitingOutput,
    })
    .meta({ id: 'Delivery' }),
);
export const deliveryPageOutput = pageOf(deliveryOutput, 'DeliveryPage');

const attemptOutput = z
  .strictObject({
    id: z.string(),
    attemptSeq: z.number().int(),
    trigger: z.enum(['initial', 'retry', 'replay', 'test']),
    status: z.enum(['succeeded', 'failed']),
    startedAt: timestamp,
    latencyMs: z.number().int(),
    request: z.strictObject({
      method: z.string(),
      url: z.string(),
      headers: z.record(z.string(), z.string()),
      transformedBody: z
        .string()
        .nullable()
        .describe(
          "The body this attempt sent when the subscription's transform changed it; null: it sent the delivery's `requestBody` (or nothing)",
        ),
    }),
    response: z
      .strictObject({ status: z.number().int(), headers: z.record(z.string(), z.string()), bodyExcerpt: z.string() })
      .nullable(),
    error: z.strictObject({ class: z.string(), message: z.string().nullable() }).nullable(),
    nextRetryAt: nullableTimestamp,
  })
  .meta({ id: 'Attempt' });

export const deliveryDetailOutput = covers<Awaited<ReturnType<typeof getDelivery>>>()(
  deliveryOutput
    .extend({
      subscriptionUrl: z.string(),
      requestBody: z
        .string()
        .optional()
        .describe(
          "The event's exact body, what every attempt sent unless a transform changed it (then the attempt's `request.transformedBody`); absent with `includeBody=false`, or once the payload was expunged",
        ),
      payloadExpungedAt: nullableTimestamp.describe(
        "When the event's payload was expunged: the body and every attempt's request and response headers and body are gone",
      ),
      attempts: z.array(attemptOutput).describe('The latest 50 attempts, oldest first'),
      attemptsTotal: z.number().int(),
      attemptsNextCursor: z.number().int().nullable(),
    })
    .meta({ id: 'DeliveryDetail' }),
);

const laneOutput = covers<BlockedLane>()(
  z
    .strictObject({
      orderingKey: z.string(),
      head: z
        .strictObject({
          deliveryId: z.string(),
          eventId: z.string(),
          status: z
            .enum(deliveryStatuses)
            .describe('`pending`: failing, retried on its schedule; `dead`: a dead letter holding a `strict` lane'),
          attemptCount: z.number().int(),
          lastAttemptAt: nullableTimestamp,
          lastResponseStatus: z.number().int().nullable(),
          lastError: z.string().nullable(),
          nextAttemptAt: nullableTimestamp,
        })
        .describe('The delivery the lane waits for'),
      waiting: z.number().int().describe('Deliveries of the lane behind its head'),
    })
    .meta({ id: 'BlockedLane' }),
);
export const lanePageOutput = pageOf(laneOutput, 'BlockedLanePage');
export const laneSkipOutput = z
  .strictObject({
    orderingKey: z.string(),
    skippedDeliveryId: z.string(),
    status: z.enum(deliveryStatuses).describe("The skipped head's status now (`dead`: a dead letter, replayable)"),
  })
  .meta({ id: 'LaneSkip' });
