import { z } from 'zod';
import { laneOrderings, signatureSchemes } from '../../../drizzle/schema/values';
import type { PublishResult } from '../../domain/events/prepare-event';
import type { testFilter } from '../../domain/subscriptions/filter-dry-run';
import type { TransformDryRun } from '../../domain/subscriptions/transform-dry-run';
import type { subscriptionStats } from '../../domain/insights/stats';
import type { SubscriptionView } from '../../domain/subscriptions/subscription-view';
import { covers, timestamp, nullableTimestamp, pageOf } from './base';
import { publishOutput } from './events';
import { waitingOutput } from './deliveries';

/** server/domain/tenants/endpoint-credentials.ts: endpoint authentication as a read shows it (never a secret). */
const endpointAuthenticationOutput = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('mtls'),
      subject: z.string().describe("The client certificate's subject, e.g. `CN=hookrelay-client, O=Acme`"),
      issuer: z.string(),
      fingerprint: z
        .string()
        .describe(
          'SHA-256 fingerprint of the certificate, colon-separated hex (as `openssl x509 -fingerprint -sha256` prints it)',
        ),
      notBefore: timestamp,
      notAfter: timestamp.describe(
        'When the certificate expires; `subscription.certificate_expiring` is sent 14 days before',
      ),
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
  .describe(
    'How attempts authenticate to the endpoint (no secret: never the private key or the client secret); null: none',
  )
  .meta({ id: 'EndpointAuthentication' });

export const subscriptionOutput = covers<SubscriptionView>()(
  z
    .strictObject({
      id: z.string(),
      customerId: z.string(),
      url: z.string(),
      description: z.string().nullable(),
      eventTypes: z.array(z.string()),
      filter: z
        .record(z.string(), z.unknown())
        .nullable()
        .describe('The payload filter (null: every event of a matching type)'),
      channels: z.array(z.string()).describe('Only events in at least one of these channels; empty: every event'),
      headers: z.record(z.string(), z.string()).describe('Custom header names, each with the value "[redacted]"'),
      active: z.boolean(),
      disabledReason: z
        .string()
        .nullable()
        .describe(
          'Why Hookrelay disabled it (410 Gone, or no successful attempt for too long); null if paused by a user',
        ),
      signatureScheme: z.enum(signatureSchemes),
      traceContext: z
        .boolean()
        .describe('Attempts carry the W3C `traceparent` header (when the deployment exports traces)'),
      ordering: z
        .enum(laneOrderings)
        .describe(
          "Ordering lanes: when a lane's head becomes a dead letter, `lenient` moves on, `strict` stays blocked until it is replayed or skipped",
        ),
      auth: endpointAuthenticationOutput,
      transform: z
        .string()
        .nullable()
        .describe('The transformation (JavaScript defining `transform(webhook)`), or null'),
      transformVersion: z.number().int().describe('Goes up by one with every change of `transform` (0: never had one)'),
      retryPolicy: z
        .strictObject({
          maxAttempts: z.number().int().optional(),
          scheduleSeconds: z.array(z.number().int()).optional(),
        })
        .nullable(),
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
      autoDisableAfterHours: z
        .number()
        .nullable()
        .describe('Hookrelay disables it once its attempts have all failed for this many hours; null: never'),
      failingSince: nullableTimestamp.describe(
        'When the first failed attempt since the last success was made; null while the last attempt succeeded',
      ),
      secretRotationEndsAt: nullableTimestamp,
      createdAt: timestamp,
      updatedAt: timestamp,
    })
    .meta({ id: 'Subscription' }),
);
export const subscriptionPageOutput = pageOf(subscriptionOutput, 'SubscriptionPage');
const verificationKey = z
  .string()
  .describe('What receivers verify with: the `whsec_` secret (`v1`) or the `whpk_` public key (`v1a`)');
export const subscriptionWithSecretOutput = covers<SubscriptionView & { secret: string }>()(
  subscriptionOutput.extend({ secret: verificationKey }).meta({ id: 'SubscriptionWithSecret' }),
);
export const secretOutput = z.strictObject({ secret: verificationKey }).meta({ id: 'SigningSecret' });
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
    headers: z
      .record(z.string(), z.string())
      .describe("The custom headers (Hookrelay's own, the signature among them, are added at send time)"),
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
      cancelled: z
        .boolean()
        .describe(
          'The transform returned `cancel: true`: nothing would be sent, and the delivery would end as succeeded',
        ),
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
