import { z } from 'zod';
import type { getDelivery, listDeliveries } from '../domain/delivery/delivery-reads';
import { deliveryRoutes, deliveryStatuses, laneOrderings } from '../../drizzle/schema/values';
import { signatureSchemes } from '../../drizzle/schema/values';
import type { PublishResult } from '../domain/events/prepare-event';
import type { publishBatch } from '../domain/events/publish-batch';
import type { EventTypeView } from '../domain/events/type-catalog';
import type { testFilter } from '../domain/subscriptions/filter-dry-run';
import type { TransformDryRun } from '../domain/subscriptions/transform-dry-run';
import type { AuditView } from '../domain/audit/log';
import type { getUsage } from '../domain/insights/usage';
import { errorCodes } from '../domain/errors';
import type { getEvent, listEvents } from '../domain/events/event-reads';
import type { subscriptionStats } from '../domain/insights/stats';
import type { replayView } from '../domain/replay/bulk';
import type { previewBackfill } from '../domain/replay/backfill';
import type { BlockedLane } from '../domain/delivery/lanes';
import type { ExpungedEvent } from '../domain/lifecycle/expunge';
import type { expungeView } from '../domain/lifecycle/customer-expunge';
import type { apiKeyView, createApiKey } from '../domain/tenants/api-keys';
import type { createPortalLink } from '../domain/tenants/portal-links';
import type { createUser } from '../domain/tenants/dashboard-users';
import type { customerView } from '../domain/tenants/customers';
import type { SubscriptionView } from '../domain/subscriptions/subscription-view';
import { operationalDeliveryStatuses, operationalEventTypes } from '../domain/notices/event-types';
import type { operationalDeliveryView, operationalWebhookView } from '../domain/subscriptions/platform-webhooks';

/**
 * What every REST procedure answers, defined once: each procedure declares its schema with
 * `.output()`, so tRPC checks every answer against it, and the OpenAPI document (openapi.ts) is
 * generated from the same schemas: the document cannot drift from what the API returns.
 *
 * Objects are strict: a field the domain returns but the schema does not list fails the request
 * (and so the route table test) instead of reaching clients undocumented. The compiler checks both
 * directions: tRPC that a procedure's result fits its schema, and `covers<T>()` that a schema lists
 * every field of its domain view (a field added to a view without its schema is a type error).
 * A schema with an `id` becomes a named component of the OpenAPI document.
 */
function covers<T>() {
  return <S extends z.ZodType>(
    schema: S & ([Exclude<keyof T, keyof z.output<S>>] extends [never] ? unknown : { missingFields: Exclude<keyof T, keyof z.output<S>> }),
  ): S => schema;
}

const timestamp = z.string().describe('ISO 8601');
const nullableTimestamp = timestamp.nullable();

function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z
    .strictObject({ data: z.array(item), nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last') })
    .meta({ id });
}

export const customerOutput = covers<ReturnType<typeof customerView>>()(
  z
    .strictObject({
      id: z.string(),
      name: z.string(),
      externalId: z.string().nullable(),
      tier: z.string(),
      retentionDays: z.number().int().nullable().describe("Days this customer's events are kept; null: the platform default (RETENTION_DAYS)"),
      createdAt: timestamp,
    })
    .meta({ id: 'Customer' }),
);
export const customerPageOutput = pageOf(customerOutput, 'CustomerPage');

export const apiKeyOutput = covers<ReturnType<typeof apiKeyView>>()(
  z
    .strictObject({
      id: z.string(),
      kind: z.enum(['customer', 'platform']),
      customerId: z.string().nullable(),
      name: z.string().nullable(),
      prefix: z.string().describe('The first 12 characters of the key (the key itself is shown only once)'),
      scopes: z.array(z.string()).describe('What the key may do: `publish`, `read`, `manage`, `keys` (a platform key holds all four)'),
      createdAt: timestamp,
      lastUsedAt: nullableTimestamp,
      revokedAt: nullableTimestamp,
    })
    .meta({ id: 'ApiKey' }),
);
export const apiKeyPageOutput = pageOf(apiKeyOutput, 'ApiKeyPage');
export const revokedApiKeyOutput = covers<ReturnType<typeof apiKeyView> & { revoked: boolean }>()(
  apiKeyOutput.extend({ revoked: z.boolean() }).meta({ id: 'RevokedApiKey' }),
);
export const createdApiKeyOutput = covers<Awaited<ReturnType<typeof createApiKey>>>()(
  z
    .strictObject({
      id: z.string(),
      key: z.string().describe('The API key: shown once, store it now'),
      prefix: z.string(),
      customerId: z.string().nullable(),
      name: z.string().nullable(),
      scopes: z.array(z.string()).describe('What the key may do: `publish`, `read`, `manage`, `keys`'),
    })
    .meta({ id: 'CreatedApiKey' }),
);
export const dashboardUserOutput = covers<NonNullable<Awaited<ReturnType<typeof createUser>>>>()(
  z.strictObject({ id: z.string(), email: z.string(), customerId: z.string() }).meta({ id: 'DashboardUser' }),
);
export const portalLinkOutput = covers<Awaited<ReturnType<typeof createPortalLink>>>()(
  z.strictObject({ url: z.string(), expiresAt: timestamp, readOnly: z.boolean(), embed: z.boolean() }).meta({ id: 'PortalLink' }),
);

export const publishOutput = covers<PublishResult>()(
  z
    .strictObject({
      id: z.string(),
      deliveries: z.number().int().nullable().describe('Deliveries created; null while a fan-out job creates them (broadcasts, very many subscriptions)'),
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
  payloadExpungedAt: nullableTimestamp.describe('When the payload was expunged (`DELETE /events/{id}/payload`): `payload` is then null'),
};
const statusCounts = z.record(z.string(), z.number().int()).describe('Deliveries by status');

type EventListItem = Awaited<ReturnType<typeof listEvents>>['data'][number];
export const eventListItemOutput = covers<EventListItem>()(
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

/** server/domain/delivery/waiting.ts `Waiting`: what a delivery (or a subscription's deliveries) waits for, and when it goes. */
export const waitingOutput = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('scheduled'), at: timestamp.describe('Its next attempt (in the past: due now)') }),
    z.strictObject({ kind: z.literal('sending') }).describe('Admitted: its attempt is queued for a worker or on the wire'),
    z.strictObject({ kind: z.literal('window') }).describe("Due: waiting for a free slot in the subscription's in-flight window"),
    z.strictObject({ kind: z.literal('rate-limit') }).describe("Due: waiting for the subscription's rate limit"),
    z.strictObject({
      kind: z.literal('breaker'),
      at: nullableTimestamp.describe("The circuit breaker's probe (null: a probe is in flight now)"),
      deadAt: nullableTimestamp.describe('Its retry window ends before the probe: then it becomes a dead letter'),
    }),
    z.strictObject({ kind: z.literal('paused') }).describe('Held until the subscription is resumed'),
    z.strictObject({ kind: z.literal('disabled'), reason: z.string().describe('Why Hookrelay disabled the subscription') }),
  ])
  .nullable()
  .describe('What it is waiting for and when it goes; null: nothing (finished, or for a subscription: nothing holds its deliveries back)')
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
      orderingKey: z.string().nullable().describe("The event's ordering key: this delivery goes after the earlier ones of its lane"),
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

export const auditEntryOutput = covers<AuditView>()(
  z
    .strictObject({
      id: z.string(),
      customerId: z.string().nullable(),
      actor: z.strictObject({
        kind: z
          .string()
          .describe(
            '`user` (dashboard), `api_key` (a customer key), `platform` (a platform key or the operator; a customer sees no id or address) or `system` (Hookrelay itself, e.g. disabling a subscription after a 410)',
          ),
        id: z.string().nullable(),
        ip: z.string().nullable(),
      }),
      action: z.string(),
      target: z.strictObject({ kind: z.string(), id: z.string() }),
      before: z.unknown().describe('The fields that changed, before (secrets redacted)'),
      after: z.unknown().describe('The fields that changed, after (secrets redacted)'),
      createdAt: timestamp,
    })
    .meta({ id: 'AuditEntry' }),
);
export const auditPageOutput = pageOf(auditEntryOutput, 'AuditLogPage');

const usageCounts = {
  eventsPublished: z.number().int(),
  deliveriesAttempted: z.number().int(),
  deliveriesSucceeded: z.number().int(),
  deliveriesFailed: z.number().int(),
  bytesSent: z.number().int(),
  bytesPublished: z.number().int().describe('The stored body bytes of the events published (a broadcast: once per customer it reached)'),
};
export const usageOutput = covers<Awaited<ReturnType<typeof getUsage>>>()(
  z
    .strictObject({
      from: z.string().describe('First day (YYYY-MM-DD, UTC)'),
      to: z.string().describe('Last day'),
      data: z.array(z.strictObject({ customerId: z.string(), day: z.string(), ...usageCounts })),
      totals: z.strictObject(usageCounts),
      quotas: z
        .strictObject({
          eventsPerDay: z
            .strictObject({ limit: z.number().int().nullable(), used: z.number().int().nullable() })
            .describe('Events a customer may publish per UTC day (null: no quota) and how many it published today'),
          inFlightTotal: z
            .strictObject({ limit: z.number().int(), used: z.number().int().nullable() })
            .describe("The sum of a customer's subscription windows (maxInFlight) allowed, and taken"),
          storedBytes: z
            .strictObject({ limit: z.number().int().nullable(), used: z.number().int().nullable() })
            .describe(
              'Event body bytes a customer may store (null: no quota), and the bytes it published over the days retention still keeps (RETENTION_DAYS UTC days, today included)',
            ),
        })
        .describe("The customer's quotas; `used` is null when usage of every customer is listed"),
    })
    .meta({ id: 'Usage' }),
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
          failedCondition: z.string().nullable().describe('For `filtered`: the filter condition that did not hold; null otherwise'),
        }),
      ),
    })
    .meta({ id: 'Event' }),
);

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
        .describe("The body this attempt sent when the subscription's transform changed it; null: it sent the delivery's `requestBody` (or nothing)"),
    }),
    response: z.strictObject({ status: z.number().int(), headers: z.record(z.string(), z.string()), bodyExcerpt: z.string() }).nullable(),
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

/** server/domain/tenants/endpoint-credentials.ts: endpoint authentication as a read shows it (never a secret). */
const endpointAuthenticationOutput = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('mtls'),
      subject: z.string().describe("The client certificate's subject, e.g. `CN=hookrelay-client, O=Acme`"),
      issuer: z.string(),
      fingerprint: z.string().describe('SHA-256 fingerprint of the certificate, colon-separated hex (as `openssl x509 -fingerprint -sha256` prints it)'),
      notBefore: timestamp,
      notAfter: timestamp.describe('When the certificate expires; `subscription.certificate_expiring` is sent 14 days before'),
      setAt: timestamp.describe('When the certificate was given'),
    }),
    z.strictObject({
      type: z.literal('oauth2'),
      tokenUrl: z.string(),
      clientId: z.string(),
      scope: z.string().nullable(),
      setAt: timestamp.describe('When the credentials were given'),
    }),
  ])
  .nullable()
  .describe('How attempts authenticate to the endpoint (no secret: never the private key or the client secret); null: none')
  .meta({ id: 'EndpointAuthentication' });

export const subscriptionOutput = covers<SubscriptionView>()(
  z
    .strictObject({
      id: z.string(),
      customerId: z.string(),
      url: z.string(),
      description: z.string().nullable(),
      eventTypes: z.array(z.string()),
      filter: z.record(z.string(), z.unknown()).nullable().describe('The payload filter (null: every event of a matching type)'),
      channels: z.array(z.string()).describe('Only events in at least one of these channels; empty: every event'),
      headers: z.record(z.string(), z.string()).describe('Custom header names, each with the value "[redacted]"'),
      active: z.boolean(),
      disabledReason: z.string().nullable().describe('Why Hookrelay disabled it (410 Gone, or no successful attempt for too long); null if paused by a user'),
      signatureScheme: z.enum(signatureSchemes),
      traceContext: z.boolean().describe('Attempts carry the W3C `traceparent` header (when the deployment exports traces)'),
      ordering: z
        .enum(laneOrderings)
        .describe("Ordering lanes: when a lane's head becomes a dead letter, `lenient` moves on, `strict` stays blocked until it is replayed or skipped"),
      auth: endpointAuthenticationOutput,
      transform: z.string().nullable().describe('The transformation (JavaScript defining `transform(webhook)`), or null'),
      transformVersion: z.number().int().describe('Goes up by one with every change of `transform` (0: never had one)'),
      retryPolicy: z.strictObject({ maxAttempts: z.number().int().optional(), scheduleSeconds: z.array(z.number().int()).optional() }).nullable(),
      rateLimitPerSecond: z.number().nullable(),
      maxInFlight: z.number().int(),
      timeoutMs: z.number().int(),
      breaker: z.strictObject({
        state: z.enum(['closed', 'open', 'half_open']),
        consecutiveFailures: z.number().int(),
        openedAt: nullableTimestamp,
        probeAt: nullableTimestamp,
      }),
      heldDeliveries: z.number().int(),
      waiting: waitingOutput,
      autoDisableAfterHours: z.number().nullable().describe('Hookrelay disables it once its attempts have all failed for this many hours; null: never'),
      failingSince: nullableTimestamp.describe('When the first failed attempt since the last success was made; null while the last attempt succeeded'),
      secretRotationEndsAt: nullableTimestamp,
      createdAt: timestamp,
      updatedAt: timestamp,
    })
    .meta({ id: 'Subscription' }),
);
export const subscriptionPageOutput = pageOf(subscriptionOutput, 'SubscriptionPage');
const verificationKey = z.string().describe('What receivers verify with: the `whsec_` secret (`v1`) or the `whpk_` public key (`v1a`)');
export const subscriptionWithSecretOutput = covers<SubscriptionView & { secret: string }>()(
  subscriptionOutput.extend({ secret: verificationKey }).meta({ id: 'SubscriptionWithSecret' }),
);
export const secretOutput = z.strictObject({ secret: verificationKey }).meta({ id: 'SigningSecret' });
export const deletedOutput = z.strictObject({ id: z.string(), deleted: z.literal(true) }).meta({ id: 'Deleted' });
export const testEventOutput = covers<PublishResult & { deliveryId: string }>()(
  publishOutput.extend({ deliveryId: z.string() }).meta({ id: 'TestEventResult' }),
);

export const subscriptionStatsOutput = covers<Awaited<ReturnType<typeof subscriptionStats>>>()(
  z
    .strictObject({
      subscriptionId: z.string(),
      breakerState: z.enum(['closed', 'open', 'half_open']),
      rateLimitPerSecond: z.number().nullable(),
      current: z.strictObject({ pending: z.number().int(), held: z.number().int(), dead: z.number().int() }),
      minutes: z.array(
        z.strictObject({
          minute: timestamp,
          queueDepth: z.number().int().nullable(),
          held: z.number().int().nullable(),
          dispatched: z.number().int(),
          succeeded: z.number().int(),
          failed: z.number().int(),
          latencyP50Ms: z.number().nullable(),
          latencyP99Ms: z.number().nullable(),
        }),
      ),
    })
    .meta({ id: 'SubscriptionStats' }),
);

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
        .describe('`replay`: dead letters sent again ("replay all"); `backfill`: past events a subscription never received, sent to it ("send past events")'),
      status: z.enum(['running', 'completed', 'cancelled']),
      total: z.number().int().describe('A replay: dead letters to re-enqueue. A backfill: events of matching types in its range, to examine'),
      enqueued: z.number().int().describe('Deliveries enqueued so far (a backfill: events sent)'),
      skipped: z.number().int().describe('A backfill: events examined that the subscription had already received (0 for a replay)'),
      filteredOut: z.number().int().describe("A backfill: events examined that the subscription's payload filter excludes (0 for a replay)"),
      delivered: z.number().int(),
      failed: z.number().int(),
      inFlight: z.number().int(),
      createdAt: timestamp,
      finishedAt: nullableTimestamp,
    })
    .meta({ id: 'BulkReplay' }),
);
export const replayPageOutput = pageOf(replayOutput, 'BulkReplayPage');

export const laneOutput = covers<BlockedLane>()(
  z
    .strictObject({
      orderingKey: z.string(),
      head: z
        .strictObject({
          deliveryId: z.string(),
          eventId: z.string(),
          status: z.enum(deliveryStatuses).describe('`pending`: failing, retried on its schedule; `dead`: a dead letter holding a `strict` lane'),
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
        .describe('True when the range holds more events of matching types than a preview examines (100,000): `count` covers the first of them only'),
      examined: z.number().int().describe('Events of matching types examined (at most 100,000)'),
      from: timestamp.describe('Where the range starts (after clamping to the retention window)'),
      to: timestamp,
      clampedFrom: nullableTimestamp.describe('The `from` asked for, when it was older than the retention window; null otherwise'),
    })
    .meta({ id: 'BackfillPreview' }),
);
export const createdReplayOutput = replayOutput
  .extend({ existing: z.boolean().describe('True when a running replay was returned instead of starting one') })
  .meta({ id: 'CreatedBulkReplay' });

export const operationalWebhookOutput = covers<ReturnType<typeof operationalWebhookView>>()(
  z
    .strictObject({
      id: z.string(),
      url: z.string(),
      description: z.string().nullable(),
      eventTypes: z.array(z.enum(operationalEventTypes)).nullable().describe('The event types sent here; null: every type'),
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
export const operationalDeliveryOutput = covers<ReturnType<typeof operationalDeliveryView>>()(
  z
    .strictObject({
      id: z.string(),
      webhookId: z.string(),
      eventId: z.string().describe('The `webhook-id` header: the same for every webhook and attempt of one operational event'),
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

export const testFilterOutput = covers<Awaited<ReturnType<typeof testFilter>>>()(
  z
    .strictObject({
      events: z.array(z.strictObject({ id: z.string(), type: z.string(), matches: z.boolean(), reason: z.string() })),
      matching: z.number().int(),
      total: z.number().int(),
    })
    .meta({ id: 'FilterDryRun' }),
);

const webhookRequestOutput = z
  .strictObject({
    url: z.string(),
    headers: z.record(z.string(), z.string()).describe("The custom headers (Hookrelay's own, the signature among them, are added at send time)"),
    body: z.string().describe('The exact body'),
  })
  .meta({ id: 'WebhookRequest' });

export const testTransformOutput = covers<TransformDryRun>()(
  z
    .strictObject({
      event: z
        .strictObject({ id: z.string(), type: z.string() })
        .nullable()
        .describe('The event it ran on; null: a sample `hookrelay.test` event (the customer has published none)'),
      before: webhookRequestOutput.describe(
        'What would be sent without the transform (a dry run has no subscription: the URL is https://example.com/webhook, with no custom headers)',
      ),
      after: webhookRequestOutput.nullable().describe('What would be sent with it; null when it cancelled or failed'),
      cancelled: z.boolean().describe('The transform returned `cancel: true`: nothing would be sent, and the delivery would end as succeeded'),
      error: z
        .strictObject({
          class: z.enum(['transform', 'blocked_target']),
          message: z.string(),
        })
        .nullable()
        .describe(
          'Why the attempt would fail: `transform` (it threw, ran out of time or memory, or returned something unsendable: retried) or `blocked_target` (its `url` is refused: dead at once)',
        ),
      cpuMs: z.number().describe('CPU time the transform took, of its 50 ms'),
    })
    .meta({ id: 'TransformDryRun' }),
);

export const expungedEventOutput = covers<ExpungedEvent>()(
  z
    .strictObject({
      id: z.string(),
      expungedAt: timestamp.describe('When the payload was expunged (the first time, when expunged again)'),
      deliveriesEnded: z.number().int().describe('Pending or held deliveries this request ended as dead ("payload expunged")'),
    })
    .meta({ id: 'ExpungedEvent' }),
);

export const dataExpungeOutput = covers<ReturnType<typeof expungeView>>()(
  z
    .strictObject({
      id: z.string(),
      customerId: z.string(),
      status: z.enum(['running', 'completed']),
      total: z.number().int().describe('Events not yet expunged when it started'),
      expunged: z.number().int().describe('Events expunged so far'),
      createdAt: timestamp,
      finishedAt: nullableTimestamp,
    })
    .meta({ id: 'DataExpunge' }),
);
export const createdDataExpungeOutput = dataExpungeOutput
  .extend({ existing: z.boolean().describe('True when a running expunge was returned instead of starting one') })
  .meta({ id: 'CreatedDataExpunge' });
