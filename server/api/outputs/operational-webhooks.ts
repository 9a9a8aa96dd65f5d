import { z } from 'zod';
import { operationalDeliveryStatuses, operationalEventTypes } from '../../domain/notices/event-types';
import type { operationalDeliveryView, operationalWebhookView } from '../../domain/subscriptions/platform-webhooks';
import { covers, timestamp, nullableTimestamp, pageOf } from './base';

export const operationalWebhookOutput = covers<ReturnType<typeof operationalWebhookView>>()(
  z
    .strictObject({
      id: z.string(),
      url: z.string(),
      description: z.string().nullable(),
      eventTypes: z
        .array(z.enum(operationalEventTypes))
        .nullable()
        .describe('The event types sent here; null: every type'),
      secretRotationEndsAt: nullableTimestamp,
      createdAt: timestamp,
      updatedAt: timestamp,
    })
    .meta({ id: 'OperationalWebhook' }),
);
export const operationalWebhookPageOutput = pageOf(operationalWebhookOutput, 'OperationalWebhookPage');
export const operationalWebhookWithSecretOutput = operationalWebhookOutput
  .extend({ secret: z.string().describe('The `whsec_` secret that signs what is sent here (Standard Webhooks v1)') })
  .meta({ id: 'OperationalWebhookWithSecret' });
const operationalDeliveryOutput = covers<ReturnType<typeof operationalDeliveryView>>()(
  z
    .strictObject({
      id: z.string(),
      webhookId: z.string(),
      eventId: z
        .string()
        .describe('The `webhook-id` header: the same for every webhook and attempt of one operational event'),
      eventType: z.enum(operationalEventTypes),
      status: z.enum(operationalDeliveryStatuses),
      attemptCount: z.number().int(),
      nextAttemptAt: nullableTimestamp,
      lastAttemptAt: nullableTimestamp,
      lastResponseStatus: z.number().int().nullable(),
      lastError: z.string().nullable(),
      createdAt: timestamp,
      completedAt: nullableTimestamp,
      payload: z.unknown().describe('The body sent: `{id, type, timestamp, data}`'),
    })
    .meta({ id: 'OperationalDelivery' }),
);
export const operationalDeliveryPageOutput = pageOf(operationalDeliveryOutput, 'OperationalDeliveryPage');
