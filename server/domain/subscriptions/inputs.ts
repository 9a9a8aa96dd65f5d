import { z } from 'zod';
import { heldOnResume, laneOrderings, signatureSchemes } from '../../../drizzle/schema/values';
import { checkJson, objectInput, text } from '../../json';
import { validateFilter } from '../filter-validation';
import { customerFilter, eventTypePattern, idOf, pageOf, subscriptionChannels } from '../inputs';
import { validateCustomHeaders } from '../delivery/custom-headers';
import { endpointAuthentication } from '../delivery/inputs';
import { operationalDeliveryStatuses, operationalEventTypes } from '../notices/event-types';

/** Subscription and operational webhook inputs (rules: server/domain/inputs.ts). */

const retryPolicyInput = z.strictObject({
  maxAttempts: z.number().int().min(1).max(50).optional(),
  scheduleSeconds: z
    .array(
      z
        .number()
        .int()
        .min(1)
        .max(7 * 86400),
    )
    .min(1)
    .max(49)
    .optional(),
});

/** A payload filter (server/domain/filters.ts, checked by filter-validation.ts); each problem is a 400 naming its path (`filter.data.amount`). */
const subscriptionFilter = checkJson(
  objectInput(
    z
      .record(text(), z.unknown())
      .meta({ examples: [{ 'data.amount': { $gte: 1000 }, 'data.currency': { $in: ['eur', 'usd'] } }] }),
  ),
)
  .superRefine((f, ctx) => {
    for (const issue of validateFilter(f))
      ctx.addIssue({ code: 'custom', path: issue.path ? [issue.path] : [], message: issue.reason });
  })
  .describe(
    'Deliver only events whose body `{id, type, timestamp, data}` satisfies this condition: dot paths (`data.amount`) to a literal or an operator object (`$eq $ne $gt $gte $lt $lte $in $nin $exists $startsWith $endsWith $contains $not`), and `$and`/`$or` (arrays) and `$not` (an object). At most 50 conditions, 8 levels, 4 KiB',
  );

/** Custom headers sent on every attempt; each problem is a 400 naming its header (`headers.X-Api-Key`). */
const customHeaders = objectInput(z.record(text(), text()).meta({ examples: [{ Authorization: 'Bearer 9f8e7d6c' }] }))
  .superRefine((h, ctx) => {
    for (const issue of validateCustomHeaders(h))
      ctx.addIssue({ code: 'custom', path: issue.name === null ? [] : [issue.name], message: issue.reason });
  })
  .describe(
    'Headers sent on every attempt, e.g. `Authorization` (at most 20, 4 KiB in all; not `webhook-*`, `content-type`, `content-length`, `host`, `user-agent`, `connection`, `transfer-encoding`). Values are secrets: reads show `"[redacted]"`',
  );

/** The most a transformation's source may weigh (UTF-8 bytes). */
const TRANSFORM_MAX_BYTES = 64 * 1024;
const utf8 = new TextEncoder();

/**
 * A transformation (server/domain/delivery/transform.ts): JavaScript defining `transform(webhook)`.
 * Its size is checked here; that it compiles and defines `transform` when it is saved (the sandbox is
 * the server's), each a 400 naming `transform`.
 */
export const transformSource = text()
  .min(1, 'must define a function named transform, e.g. function transform(webhook) { … }')
  .refine(
    (s) => utf8.encode(s).length <= TRANSFORM_MAX_BYTES,
    `must be at most 64 KiB (${TRANSFORM_MAX_BYTES} bytes of UTF-8)`,
  )
  .describe(
    'JavaScript defining `transform(webhook)`, run sandboxed before each attempt (no I/O, 50 ms of CPU, 16 MiB): `webhook` is `{url, headers, payload, eventType}` (`headers`: the custom headers; `payload`: the event body `{id, type, timestamp, data}`); it returns `{body?, headers?, url?, cancel?}`. At most 64 KiB; it must compile and define `transform`. See docs/transformations.md',
  )
  .meta({
    examples: [
      'function transform(webhook) {\n  return { body: { text: "New " + webhook.eventType, amount: webhook.payload.data.amount } };\n}',
    ],
  });

export const createSubscriptionInput = z.strictObject({
  customerId: idOf('customer').optional().describe('Required with a platform key'),
  url: z
    .string()
    .min(1)
    .max(2048)
    .meta({ examples: ['https://example.com/webhooks'] }),
  eventTypes: z
    .array(eventTypePattern)
    .min(1)
    .max(100)
    .meta({ examples: [['charge.*', 'invoice.paid']] }),
  description: text().max(500).optional(),
  active: z.boolean().optional(),
  retryPolicy: retryPolicyInput.optional(),
  rateLimitPerSecond: z.number().positive().max(10000).nullable().optional(),
  maxInFlight: z.number().int().min(1).max(1000).optional(),
  timeoutMs: z.number().int().min(100).max(60000).optional(),
  autoDisableAfterHours: z
    .number()
    .positive()
    .max(8760)
    .nullable()
    .optional()
    .describe(
      "Disable the subscription (holding its deliveries) once its attempts have all failed for this many hours; null: never. Default: the deployment's AUTO_DISABLE_AFTER_HOURS (120)",
    ),
  signatureScheme: z
    .enum(signatureSchemes)
    .optional()
    .describe(
      '`v1` (default): HMAC-SHA256 with a `whsec_` secret. `v1a`: Ed25519; the response carries the `whpk_` public key receivers verify with',
    ),
  filter: subscriptionFilter.optional(),
  channels: subscriptionChannels.optional(),
  headers: customHeaders.optional(),
  traceContext: z
    .boolean()
    .optional()
    .describe(
      "Send the W3C `traceparent` header with every attempt, so the receiver can join the event's trace (when the deployment exports traces). Default: false",
    ),
  auth: endpointAuthentication.nullable().optional(),
  transform: transformSource.optional(),
  ordering: z
    .enum(laneOrderings)
    .optional()
    .describe(
      "Ordering lanes (events published with an `orderingKey`): when a lane's head becomes a dead letter, `lenient` (default) moves on to the next; `strict` keeps the lane blocked until the dead letter is replayed or skipped",
    ),
});
export type CreateSubscriptionInput = z.infer<typeof createSubscriptionInput>;

export const updateSubscriptionInput = createSubscriptionInput
  .omit({ customerId: true, signatureScheme: true })
  .partial()
  .extend({
    // Receivers verify with the key of the scheme they were given: a new scheme is a new subscription.
    // Named here (not left unknown) so that the 400 says why, not "unknown field".
    signatureScheme: z
      .never({ error: 'cannot be changed; create a new subscription with the new scheme' })
      .optional()
      .describe('Cannot be changed: create a new subscription with the new scheme'),
    retryPolicy: retryPolicyInput.nullable().optional(),
    description: text().max(500).nullable().optional(),
    filter: subscriptionFilter.nullable().optional().describe('A new filter, or null to deliver every matching event'),
    headers: customHeaders
      .nullable()
      .optional()
      .describe(
        'Replaces the custom headers (null or {} removes them). A value of `"[redacted]"` keeps the stored value of that header, so a read can be edited and sent back',
      ),
    auth: endpointAuthentication
      .nullable()
      .optional()
      .describe(
        'Replaces the endpoint authentication (null removes it; absent keeps it). Moving `url` to another origin needs it given again when it is `oauth2` (its tokens are for the old endpoint)',
      ),
    transform: transformSource
      .nullable()
      .optional()
      .describe(
        'A new transformation (its version goes up by one), or null to remove it. See `transform` on create and docs/transformations.md',
      ),
    heldDeliveries: z
      .enum(heldOnResume)
      .optional()
      .describe(
        'With `active: true` on a paused or disabled subscription: `release` (default) sends what was held, in publish order; `discard` turns it into dead letters',
      ),
  });
export type UpdateSubscriptionInput = z.infer<typeof updateSubscriptionInput>;

export const listSubscriptionsInput = z.strictObject({ customerId: customerFilter, ...pageOf('subscription') });

export const testFilterInput = z.strictObject({
  customerId: idOf('customer').optional().describe('Required with a platform key'),
  eventTypes: z
    .array(eventTypePattern)
    .min(1)
    .max(100)
    .meta({ examples: [['order.*']] }),
  filter: subscriptionFilter.optional(),
  channels: subscriptionChannels.optional(),
});
export type TestFilterInput = z.infer<typeof testFilterInput>;

/** `POST /subscriptions/test-transform`: a dry run of a transformation on one of the customer's events. */
export const testTransformInput = z.strictObject({
  customerId: idOf('customer').optional().describe('Required with a platform key'),
  transform: transformSource,
  eventId: idOf('event').optional().describe("The event to run it on (default: the customer's most recent event)"),
});
export type TestTransformInput = z.infer<typeof testTransformInput>;

/** Operational webhooks: where the platform hears about its customers' endpoints (platform key only). */
export const createOperationalWebhookInput = z.strictObject({
  url: z
    .string()
    .min(1)
    .max(2048)
    .meta({ examples: ['https://ops.example.com/hookrelay'] }),
  eventTypes: z
    .array(z.enum(operationalEventTypes))
    .min(1)
    .max(operationalEventTypes.length)
    .optional()
    .describe('The event types to send here (default: every type)'),
  description: text().max(500).optional(),
});

export const updateOperationalWebhookInput = z.strictObject({
  url: createOperationalWebhookInput.shape.url.optional(),
  eventTypes: createOperationalWebhookInput.shape.eventTypes
    .unwrap()
    .nullable()
    .optional()
    .describe('The event types to send here; null: every type'),
  description: text().max(500).nullable().optional(),
});

export const listOperationalWebhooksInput = z.strictObject({ ...pageOf('operationalWebhook') });

export const listOperationalDeliveriesInput = z.strictObject({
  status: z.enum(operationalDeliveryStatuses).optional(),
  ...pageOf('operationalDelivery'),
});
