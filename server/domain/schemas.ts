import { z } from 'zod';
import { validateEventType, validatePattern } from './patterns';

/**
 * API input schemas, defined once and reused by tRPC, REST (and its OpenAPI document) and forms.
 */
export const eventType = z.string().superRefine((v, ctx) => {
  const reason = validateEventType(v);
  if (reason) ctx.addIssue({ code: 'custom', message: `event type ${reason}` });
});

export const eventTypePattern = z.string().superRefine((v, ctx) => {
  const reason = validatePattern(v);
  if (reason) ctx.addIssue({ code: 'custom', message: `pattern "${v}": ${reason}` });
});

export const idempotencyKey = z.string().min(1).max(200);

export const publishEventInput = z.object({
  type: eventType,
  data: z.unknown().refine((v) => v !== undefined, 'data is required'),
  customerId: z.string().optional().describe('Deliver only to this customer; omit to broadcast to every customer'),
  idempotencyKey: idempotencyKey.optional(),
});
export type PublishEventInput = z.infer<typeof publishEventInput>;

export const retryPolicyInput = z.object({
  maxAttempts: z.number().int().min(1).max(50).optional(),
  scheduleSeconds: z.array(z.number().int().min(1).max(7 * 86400)).min(1).max(49).optional(),
});

export const createSubscriptionInput = z.object({
  customerId: z.string().optional().describe('Required with a platform key'),
  url: z.string().min(1).max(2048),
  eventTypes: z.array(eventTypePattern).min(1).max(100),
  description: z.string().max(500).optional(),
  active: z.boolean().optional(),
  retryPolicy: retryPolicyInput.optional(),
  rateLimitPerSecond: z.number().positive().max(10000).nullable().optional(),
  maxInFlight: z.number().int().min(1).max(1000).optional(),
  timeoutMs: z.number().int().min(100).max(60000).optional(),
});
export type CreateSubscriptionInput = z.infer<typeof createSubscriptionInput>;

export const updateSubscriptionInput = createSubscriptionInput.omit({ customerId: true }).partial().extend({
  retryPolicy: retryPolicyInput.nullable().optional(),
  description: z.string().max(500).nullable().optional(),
});
export type UpdateSubscriptionInput = z.infer<typeof updateSubscriptionInput>;

export const deliveryStatus = z.enum(['pending', 'succeeded', 'dead', 'held']);

export const pageInput = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
};

export const listEventsInput = z.object({
  customerId: z.string().optional(),
  type: z.string().optional(),
  id: z.string().optional(),
  status: deliveryStatus.optional().describe('Only events with a delivery in this status'),
  subscriptionId: z.string().optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  ...pageInput,
});

export const listDeliveriesInput = z.object({
  customerId: z.string().optional(),
  status: deliveryStatus.optional(),
  subscriptionId: z.string().optional(),
  eventType: z.string().optional(),
  eventId: z.string().optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  ...pageInput,
});

export const createReplayInput = z.object({
  customerId: z.string().optional(),
  subscriptionId: z.string().optional(),
  eventType: z.string().optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});
