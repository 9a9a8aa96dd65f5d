import { z } from 'zod';
import { KEY_SCOPES } from './context';
import { deliveryStatuses, heldOnResume, laneOrderings } from '../../drizzle/schema/values';
import { signatureSchemes } from '../../drizzle/schema/values';
import { operationalDeliveryStatuses, operationalEventTypes } from './notices/event-types';
import { idPattern, idPrefix, type IdKind } from './ids';
import { validateEventType, validatePattern } from './patterns';
import { validateFilter } from './filters';
import { validateCustomHeaders } from './delivery/custom-headers';
import { checkJson, objectInput, text } from '../json';
import { withArticle } from './wording';
import { HEX_COLOR } from './tenants/portal-theme';
import { colorSchemes } from '../../drizzle/schema/values';

/**
 * API input schemas, defined once and reused by tRPC, REST (and its OpenAPI document) and forms.
 * Every object is strict: a field it does not know is a 400 naming it, never ignored (a typo'd
 * `customer_id` must not turn one customer's event into a broadcast). Every string is a `text()`
 * and every free-form JSON value goes through `checkJson` (server/domain/json.ts): a NUL or a lone
 * surrogate anywhere, or nesting deeper than 64 levels, is a 400 naming the field.
 */
export const eventType = text().superRefine((v, ctx) => {
  const reason = validateEventType(v);
  if (reason) ctx.addIssue({ code: 'custom', message: `event type ${reason}` });
});

export const eventTypePattern = text().superRefine((v, ctx) => {
  const reason = validatePattern(v);
  if (reason) ctx.addIssue({ code: 'custom', message: `pattern "${v}": ${reason}` });
});

export const idempotencyKey = text().min(1).max(200);

/** An ordering key: 1 to 256 characters, no control characters (server/domain/delivery/lanes.ts). */
export const ORDERING_KEY_MAX = 256;
export const orderingKey = text()
  .min(1, 'an ordering key cannot be empty')
  .max(ORDERING_KEY_MAX, `an ordering key is at most ${ORDERING_KEY_MAX} characters`)
  .regex(/^\P{Cc}*$/u, 'an ordering key cannot hold control characters')
  .describe(
    `Ordering lane: within each subscription, events with the same key are attempted one at a time, in publish order (a failing one holds the ones behind it). 1 to ${ORDERING_KEY_MAX} characters. Absent: unordered`,
  )
  .meta({ examples: ['order_1234'] });

/** Channels and tags: how many an event or a subscription may carry, and how long each may be. */
export const CHANNELS_PER_EVENT = 10;
export const CHANNELS_PER_SUBSCRIPTION = 20;
export const TAGS_PER_EVENT = 10;
export const NAME_MAX = 64;

/** A channel name: 1 to 64 of `A-Z a-z 0-9 . _ : -` (safe in a URL, a log line and a SQL array literal). */
export const channelName = text()
  .min(1, 'a channel name cannot be empty')
  .max(NAME_MAX, `a channel name is at most ${NAME_MAX} characters`)
  .regex(/^[A-Za-z0-9._:-]*$/, 'a channel name is made of A-Z a-z 0-9 . _ : - only')
  .meta({ examples: ['eu-west'] });

/** A tag: 1 to 64 characters, no control characters. */
export const tagName = text()
  .min(1, 'a tag cannot be empty')
  .max(NAME_MAX, `a tag is at most ${NAME_MAX} characters`)
  .regex(/^\P{Cc}*$/u, 'a tag cannot hold control characters')
  .meta({ examples: ['order:1234'] });

/**
 * A list of names without repeats: a name given twice is a 400 naming the second place
 * (`channels.3`), not silently merged, so what is stored is exactly what was sent.
 */
function nameList(item: typeof channelName, max: number, what: string) {
  return z
    .array(item)
    .max(max, `at most ${max} ${what}`)
    .superRefine((names, ctx) => {
      const seen = new Map<string, number>();
      names.forEach((n, i) => {
        const first = seen.get(n);
        if (first === undefined) seen.set(n, i);
        else ctx.addIssue({ code: 'custom', path: [i], message: `"${n}" is given twice (also at ${first})` });
      });
    });
}
export const eventChannels = nameList(channelName, CHANNELS_PER_EVENT, 'channels').describe(
  `The channels the event is in (at most ${CHANNELS_PER_EVENT}; each 1 to ${NAME_MAX} of \`A-Z a-z 0-9 . _ : -\`, no repeats). A subscription that names channels receives only events in at least one of them`,
);
export const eventTags = nameList(tagName, TAGS_PER_EVENT, 'tags').describe(
  `Labels for searching the event log (\`GET /events?tag=\`), at most ${TAGS_PER_EVENT} of 1 to ${NAME_MAX} characters, no repeats; they route nothing`,
);
export const subscriptionChannels = nameList(channelName, CHANNELS_PER_SUBSCRIPTION, 'channels')
  .describe(
    `Receive only events in at least one of these channels (at most ${CHANNELS_PER_SUBSCRIPTION}, no repeats). Empty or absent: every event, whatever its channels`,
  )
  .meta({ examples: [['eu-west', 'orders']] });

const idNames: Record<IdKind, string> = {
  customer: 'customer',
  user: 'user',
  apiKey: 'API key',
  portalToken: 'portal token',
  subscription: 'subscription',
  event: 'event',
  delivery: 'delivery',
  attempt: 'attempt',
  replay: 'replay',
  expunge: 'data expunge',
  worker: 'worker',
  audit: 'audit entry',
  operationalWebhook: 'operational webhook',
  operationalEvent: 'operational event',
  operationalDelivery: 'operational delivery',
};

/**
 * A prefixed id of one kind (`sub_01J…`). A malformed id, or one of another kind (an event id where a
 * delivery id belongs), is a 400 naming the field, not a silent 404.
 */
export function idOf(kind: IdKind) {
  const prefix = idPrefix(kind);
  return z
    .string()
    .regex(idPattern(kind), `must be ${withArticle(idNames[kind])} id (${prefix}_…)`)
    .meta({ examples: [`${prefix}_01JZ3K8Q9V7W2X4Y6A8B0C2D4E`] });
}

/** Keyset pagination over ids (time-sortable, unique): `cursor` is the last id of the previous page. */
export function pageOf(kind: IdKind) {
  return {
    limit: count(z.coerce.number().int().min(1).max(200)).default(50).describe('Page size (1 to 200, default 50)'),
    cursor: idOf(kind).optional().describe('`nextCursor` of the previous page'),
  };
}

/** Filter on event types: an exact type or a subscription pattern (`charge.*`, `charge.**`, `*`). */
export const eventTypeFilter = eventTypePattern.describe('Exact type or pattern: `charge.*` (one segment), `charge.**` (any depth), `*`');

export const publishEventInput = z.strictObject({
  type: eventType.meta({ examples: ['charge.succeeded'] }),
  data: checkJson(z.unknown().refine((v) => v !== undefined, 'data is required'))
    .describe('Any JSON value, delivered exactly as published (numbers keep their text: `9007199254740993` stays itself)')
    .meta({ examples: [{ amount: 4200, currency: 'eur' }] }),
  customerId: idOf('customer')
    .optional()
    .describe(
      'Deliver only to this customer. A platform key gives exactly one of `customerId` or `"broadcast": true`; a customer key may omit it (its own customer)',
    ),
  broadcast: z.boolean().optional().describe("`true` delivers to every customer's matching subscriptions (platform key only; not with `customerId`)"),
  idempotencyKey: idempotencyKey.optional().describe('Publishing again with the same key (per customer, or per broadcast) returns the first event'),
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
    .describe('Up to 500 events, each `{type, data, customerId | broadcast: true, idempotencyKey?, channels?, tags?, orderingKey?}`')
    .meta({
      examples: [
        [
          { type: 'charge.succeeded', customerId: 'cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E', data: { amount: 4200 }, idempotencyKey: 'ch_1' },
          { type: 'charge.refunded', customerId: 'cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E', data: { amount: 100 } },
        ],
      ],
    }),
});

export const retryPolicyInput = z.strictObject({
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

/** A payload filter (server/domain/filters.ts); each problem is a 400 naming its path (`filter.data.amount`). */
export const subscriptionFilter = checkJson(
  objectInput(z.record(text(), z.unknown()).meta({ examples: [{ 'data.amount': { $gte: 1000 }, 'data.currency': { $in: ['eur', 'usd'] } }] })),
)
  .superRefine((f, ctx) => {
    for (const issue of validateFilter(f)) ctx.addIssue({ code: 'custom', path: issue.path ? [issue.path] : [], message: issue.reason });
  })
  .describe(
    'Deliver only events whose body `{id, type, timestamp, data}` satisfies this condition: dot paths (`data.amount`) to a literal or an operator object (`$eq $ne $gt $gte $lt $lte $in $nin $exists $startsWith $endsWith $contains $not`), and `$and`/`$or` (arrays) and `$not` (an object). At most 50 conditions, 8 levels, 4 KiB',
  );

/** Custom headers sent on every attempt; each problem is a 400 naming its header (`headers.X-Api-Key`). */
export const customHeaders = objectInput(z.record(text(), text()).meta({ examples: [{ Authorization: 'Bearer 9f8e7d6c' }] }))
  .superRefine((h, ctx) => {
    for (const issue of validateCustomHeaders(h)) ctx.addIssue({ code: 'custom', path: issue.name === null ? [] : [issue.name], message: issue.reason });
  })
  .describe(
    'Headers sent on every attempt, e.g. `Authorization` (at most 20, 4 KiB in all; not `webhook-*`, `content-type`, `content-length`, `host`, `user-agent`, `connection`, `transfer-encoding`). Values are secrets: reads show `"[redacted]"`',
  );

/**
 * How much endpoint authentication may hold: a client certificate with a few intermediates, one
 * private key (an RSA 4096 key is about 3.3 KB of PEM), OAuth2 client credentials.
 */
export const ENDPOINT_AUTH_LIMITS = { certificateChars: 32 * 1024, privateKeyChars: 16 * 1024, clientIdChars: 256, clientSecretChars: 1024, scopeChars: 1024 };

/** Visible ASCII, no spaces: an OAuth2 client id (RFC 6749 allows any visible character). */
const VISIBLE = /^[\x21-\x7e]*$/;
/** Space-separated scope tokens of visible ASCII other than `"` and `\` (RFC 6749 §3.3). */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;

export const mtlsAuthentication = z
  .strictObject({
    type: z.literal('mtls'),
    certificate: text()
      .min(1)
      .max(ENDPOINT_AUTH_LIMITS.certificateChars, `a certificate chain is at most ${ENDPOINT_AUTH_LIMITS.certificateChars} characters of PEM`)
      .describe('PEM: the client certificate, then any intermediate certificates to send with it'),
    privateKey: text()
      .min(1)
      .max(ENDPOINT_AUTH_LIMITS.privateKeyChars, `a private key is at most ${ENDPOINT_AUTH_LIMITS.privateKeyChars} characters of PEM`)
      .describe("PEM: the certificate's private key, unencrypted (PKCS#8, or RSA/EC). Encrypted at rest; never shown again"),
  })
  .describe('Mutual TLS: every attempt presents this client certificate');

export const oauth2Authentication = z
  .strictObject({
    type: z.literal('oauth2'),
    tokenUrl: z
      .string()
      .min(1)
      .max(2048)
      .describe('Where tokens are requested (grant_type=client_credentials, client authentication HTTP Basic); the same rules as the endpoint URL')
      .meta({ examples: ['https://auth.example.com/oauth/token'] }),
    clientId: text().min(1).max(ENDPOINT_AUTH_LIMITS.clientIdChars).regex(VISIBLE, 'a client id holds visible ASCII characters only (no spaces)'),
    clientSecret: text()
      .min(1)
      .max(ENDPOINT_AUTH_LIMITS.clientSecretChars)
      .describe('Encrypted at rest; never shown again. On update, `"[redacted]"` keeps the stored secret (same token URL origin and endpoint origin only)'),
    scope: text()
      .max(ENDPOINT_AUTH_LIMITS.scopeChars)
      .regex(SCOPE, 'scope is space-separated tokens of visible ASCII characters (no " or \\)')
      .optional()
      .describe('Space-separated scopes to ask for'),
  })
  .describe(
    'OAuth2 client credentials: every attempt carries `Authorization: Bearer <token>`; the token is cached until shortly before it expires, and refreshed once on a 401',
  );

/** Endpoint authentication of a subscription; each problem is a 400 naming its field (`auth.privateKey`). */
export const endpointAuthentication = z
  .discriminatedUnion('type', [mtlsAuthentication, oauth2Authentication])
  .describe(
    "How attempts authenticate to the endpoint, besides the signature: `mtls` (a client certificate) or `oauth2` (client credentials). Never shown on read beyond the certificate's subject, fingerprint and expiry, or the token URL, client id and scope",
  );
export type EndpointAuthenticationInput = z.infer<typeof endpointAuthentication>;

/** The most a transformation's source may weigh (UTF-8 bytes). */
export const TRANSFORM_MAX_BYTES = 64 * 1024;
const utf8 = new TextEncoder();

/**
 * A transformation (server/domain/delivery/transform.ts): JavaScript defining `transform(webhook)`.
 * Its size is checked here; that it compiles and defines `transform` when it is saved (the sandbox is
 * the server's), each a 400 naming `transform`.
 */
export const transformSource = text()
  .min(1, 'must define a function named transform, e.g. function transform(webhook) { … }')
  .refine((s) => utf8.encode(s).length <= TRANSFORM_MAX_BYTES, `must be at most 64 KiB (${TRANSFORM_MAX_BYTES} bytes of UTF-8)`)
  .describe(
    'JavaScript defining `transform(webhook)`, run sandboxed before each attempt (no I/O, 50 ms of CPU, 16 MiB): `webhook` is `{url, headers, payload, eventType}` (`headers`: the custom headers; `payload`: the event body `{id, type, timestamp, data}`); it returns `{body?, headers?, url?, cancel?}`. At most 64 KiB; it must compile and define `transform`. See docs/transformations.md',
  )
  .meta({ examples: ['function transform(webhook) {\n  return { body: { text: "New " + webhook.eventType, amount: webhook.payload.data.amount } };\n}'] });

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
    .describe('`v1` (default): HMAC-SHA256 with a `whsec_` secret. `v1a`: Ed25519; the response carries the `whpk_` public key receivers verify with'),
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
      .describe('A new transformation (its version goes up by one), or null to remove it. See `transform` on create and docs/transformations.md'),
    heldDeliveries: z
      .enum(heldOnResume)
      .optional()
      .describe(
        'With `active: true` on a paused or disabled subscription: `release` (default) sends what was held, in publish order; `discard` turns it into dead letters',
      ),
  });
export type UpdateSubscriptionInput = z.infer<typeof updateSubscriptionInput>;

export const deliveryStatus = z.enum(deliveryStatuses);

export const pageInput = {
  limit: count(z.coerce.number().int().min(1).max(200)).default(50),
  cursor: text().optional(),
};

/** A yes/no option: a boolean over tRPC, `true` or `false` in a REST query string. */
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/**
 * A point in time: an ISO 8601 string (REST query strings, tRPC over JSON) or a Date (a tRPC caller
 * in process), within the years 1 to 9999 (what JavaScript prints and PostgreSQL compares without an
 * error: a year such as -271821 is a valid Date, and made a query fail). Anything else says what it expects.
 */
export const dateTime = () =>
  z.preprocess(
    // Only a string or a Date is a time: a number, boolean or null would be coerced to 1970.
    (v) => (typeof v === 'string' || v instanceof Date || v === undefined ? v : 'not a date-time'),
    z.coerce
      .date({ error: 'expected an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z' })
      .min(new Date('0001-01-01T00:00:00.000Z'), 'must be within the years 1 to 9999')
      .max(new Date('9999-12-31T23:59:59.999Z'), 'must be within the years 1 to 9999'),
  );

/**
 * A whole number given as a number (tRPC) or a numeric string (a REST query string): a boolean or
 * null would be coerced to 1 or 0.
 */
function count<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (typeof v === 'string' || typeof v === 'number' || v === undefined ? v : 'not a number'), schema);
}

const from = dateTime().optional().describe('Created at or after (ISO 8601)');
const to = dateTime().optional().describe('Created at or before (ISO 8601)');
const customerFilter = idOf('customer').optional().describe('Platform key: only this customer (a customer key may only name itself)');

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

export const listDeliveriesInput = z.strictObject({
  customerId: customerFilter,
  status: deliveryStatus.optional(),
  subscriptionId: idOf('subscription').optional(),
  eventType: eventTypeFilter.optional(),
  eventId: idOf('event').optional(),
  from,
  to,
  ...pageOf('delivery'),
});

export const getDeliveryInput = z.strictObject({
  id: idOf('delivery'),
  includeBody: flag.default(true).describe('Include `requestBody`, the exact bytes every attempt sent (default true)'),
  // An attempt's sequence number is a PostgreSQL integer: a larger cursor made the query fail with a 500.
  attemptsCursor: count(z.coerce.number().int().min(1).max(2_147_483_647))
    .optional()
    .describe('`attemptsNextCursor` of a previous read: the attempts before it'),
});

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

/** A JSON Schema (2020-12) for an event type's `data`; checked (compiled) when saved. */
const dataSchema = checkJson(
  objectInput(
    z
      .union([z.record(text(), z.unknown()), z.boolean()])
      .meta({ examples: [{ type: 'object', required: ['amount'], properties: { amount: { type: 'integer', minimum: 0 } } }] }),
  ),
).describe("JSON Schema (2020-12) that a published event's `data` must satisfy");

export const eventTypeName = eventType.describe('The event type, e.g. `order.created`').meta({ examples: ['order.created'] });

export const createEventTypeInput = z.strictObject({
  name: eventTypeName,
  description: text().max(2000).optional(),
  schema: dataSchema.optional(),
  example: checkJson(z.unknown()).optional().describe('An example of `data`, shown in the catalog (must satisfy `schema`)'),
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

export const createReplayInput = z.strictObject({
  customerId: idOf('customer').optional().describe('Required with a platform key'),
  subscriptionId: idOf('subscription').optional(),
  eventType: eventTypeFilter.optional(),
  from,
  to,
});

export const listAuditLogInput = z.strictObject({
  customerId: customerFilter,
  action: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[a-z_]+\.[a-z_]+$/, 'must be an action such as subscription.updated')
    .optional()
    .describe('Only this action, e.g. `subscription.paused`'),
  targetId: text().min(1).max(100).optional().describe('Only changes to this object (a subscription, API key, … id)'),
  from,
  to,
  ...pageOf('audit'),
});

export const usageInput = z.strictObject({
  customerId: customerFilter,
  from: dateTime().optional().describe('First day (ISO 8601; default 30 days before `to`)'),
  to: dateTime().optional().describe('Last day (ISO 8601; default today)'),
});

export const listReplaysInput = z.strictObject({
  customerId: customerFilter,
  kind: z
    .enum(['replay', 'backfill'])
    .default('replay')
    .describe(
      "`replay` (default): replays of dead letters; `backfill`: every subscription's backfills (one subscription's: `GET /subscriptions/{id}/backfills`)",
    ),
  ...pageOf('replay'),
});

/** Backfill ("send past events") of a subscription: the range, and optionally narrower event types. */
const backfillRange = {
  id: idOf('subscription'),
  from: dateTime().describe(
    "Send events published at or after this time (ISO 8601, required). Older than the customer's retention window: from the oldest time still kept (`clampedFrom` says so)",
  ),
  to: dateTime().optional().describe('…and before this time (ISO 8601; default and at most: now)'),
};
const backfillPatterns = z.array(eventTypePattern).min(1).max(100);

export const backfillInput = z.strictObject({
  ...backfillRange,
  eventTypes: backfillPatterns
    .optional()
    .describe("Only events of these types or patterns (as in a subscription), among those the subscription's own patterns match")
    .meta({ examples: [['order.*']] }),
});
export const backfillPreviewInput = z.strictObject({
  ...backfillRange,
  eventTypes: text()
    .transform((v) => v.split(','))
    .pipe(backfillPatterns)
    .optional()
    .describe("Only events of these types or patterns, comma-separated (`order.*,invoice.paid`), among those the subscription's own patterns match"),
});
export type BackfillInput = z.infer<typeof backfillInput>;

export const listBackfillsInput = z.strictObject({ id: idOf('subscription'), ...pageOf('replay') });

/** `GET /subscriptions/{id}/lanes`: blocked ordering lanes, by key. */
export const listLanesInput = z.strictObject({
  id: idOf('subscription'),
  limit: count(z.coerce.number().int().min(1).max(200)).default(50).describe('Page size (1 to 200, default 50)'),
  cursor: orderingKey.optional().describe('`nextCursor` of the previous page (the last ordering key)'),
});

/** `POST /subscriptions/{id}/lanes/skip`: move a blocked lane on past its head. */
export const skipLaneInput = z.strictObject({ id: idOf('subscription'), orderingKey: orderingKey.describe('The lane to move on') });

export const createCustomerInput = z.strictObject({
  name: text()
    .trim()
    .min(1)
    .max(200)
    .meta({ examples: ['Acme Corp'] }),
  externalId: text().min(1).max(200).optional().describe("The platform's own id for this customer (unique)"),
  tier: text().min(1).max(50).optional().describe('Concurrency tier (default `standard`)'),
});

export const createApiKeyInput = z.strictObject({
  id: idOf('customer'),
  name: text().max(200).optional(),
  scopes: z
    .array(z.enum(KEY_SCOPES))
    .min(1)
    .max(KEY_SCOPES.length)
    .refine((s) => new Set(s).size === s.length, 'must not repeat a scope')
    .optional()
    .describe(
      'What the key may do: `publish` (publish events), `read` (every read), `manage` (every other change), `keys` (create, list, revoke keys). Default `["publish", "read"]`; at most the scopes of the key that creates it',
    )
    .meta({ examples: [['publish', 'read']] }),
});

export const listCustomersInput = z.strictObject({ ...pageOf('customer') });

export const listApiKeysInput = z.strictObject({ customerId: customerFilter, ...pageOf('apiKey') });

export const createUserInput = z.strictObject({
  email: z
    .string()
    .email()
    .max(320)
    .meta({ examples: ['ops@acme.example'] }),
  password: text()
    .min(8)
    .max(200)
    .meta({ examples: ['correct-horse-battery'] }),
});

/** The embedded portal's look (server/domain/tenants/portal-theme.ts): checked here, so that only these shapes reach a page. */
export const portalThemeInput = z.strictObject({
  accentColor: text()
    .regex(HEX_COLOR, 'must be a hex colour #rrggbb')
    .optional()
    .meta({ examples: ['#0f766e'] })
    .describe('Buttons, links and focus rings (default: indigo)'),
  logoUrl: text()
    .max(2048)
    .superRefine((v, ctx) => {
      let url: URL | null = null;
      try {
        url = new URL(v);
      } catch {
        // reported below
      }
      if (url?.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must be an https URL' });
      else if (url.username !== '' || url.password !== '') ctx.addIssue({ code: 'custom', message: 'must not carry credentials' });
    })
    .optional()
    .meta({ examples: ['https://app.example.com/logo.svg'] })
    .describe('Shown at the top of the embedded view'),
  colorScheme: z.enum(colorSchemes).optional().describe("Light, dark, or the viewer's system setting (default)"),
});

export const portalLinkInput = z.strictObject({
  readOnly: z.boolean().optional().describe('Sign in with a session that cannot change anything'),
  ttlSeconds: z.number().int().min(30).max(86400).optional().describe('Link lifetime (default 900)'),
  embed: z
    .boolean()
    .optional()
    .describe('A link for an <iframe> in your own app: the dashboard without its navigation, frameable only by PORTAL_FRAME_ANCESTORS'),
  theme: portalThemeInput.optional().describe("The embedded view's look (embed links only)"),
});

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
  eventTypes: createOperationalWebhookInput.shape.eventTypes.unwrap().nullable().optional().describe('The event types to send here; null: every type'),
  description: text().max(500).nullable().optional(),
});

export const listOperationalWebhooksInput = z.strictObject({ ...pageOf('operationalWebhook') });

export const listOperationalDeliveriesInput = z.strictObject({
  status: z.enum(operationalDeliveryStatuses).optional(),
  ...pageOf('operationalDelivery'),
});

/** `PATCH /customers/{id}`: the platform's per-customer settings. */
export const updateCustomerInput = z.strictObject({
  id: idOf('customer'),
  retentionDays: z
    .number({ error: 'retentionDays must be a whole number of days from 1 to the platform maximum (RETENTION_MAX_DAYS), or null' })
    .int({ error: 'retentionDays must be a whole number of days from 1 to the platform maximum (RETENTION_MAX_DAYS)' })
    .min(1, { error: 'retentionDays must be from 1 to the platform maximum (RETENTION_MAX_DAYS) days' })
    .nullable()
    .optional()
    .describe("Days this customer's events are kept, 1 to RETENTION_MAX_DAYS; null: the platform default. A shortening applies to stored events too"),
});
