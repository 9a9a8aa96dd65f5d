import { and, eq, inArray } from 'drizzle-orm';
import { customers, deliveries, events, subscriptions } from '../../../drizzle/schema';
import type { Ctx } from '../context';
import { deliveryEvent, deliverySubscription } from './joins';

/**
 * One attempt of a `deliver` job (runner.ts splits a job into these): `id` is the job's id, `attempt`
 * the delivery's attempt number it performs; `traceparent`: the admission span's context (tracing
 * on), the parent of this attempt's span.
 */
export type DeliverTask = {
  id: string;
  data: { deliveryId: string; customerId: string; attempt: number; traceparent?: string | undefined };
};

/** A delivery to load: its id and its customer (the read is pruned to those customers' shards). */
export type DeliveryRef = { id: string; customerId: string };

export type Loaded = Awaited<ReturnType<typeof loadForAttempts>>[number];

/** Loads what attempts need (delivery, subscription, event body, customer tier) in one query. */
export async function loadForAttempts(ctx: Ctx, refs: DeliveryRef[]) {
  const deliveryIds = refs.map((r) => r.id);
  const customerIds = [...new Set(refs.map((r) => r.customerId))];
  return ctx.db
    .select({
      delivery: deliveries,
      sub: {
        id: subscriptions.id,
        customerId: subscriptions.customerId,
        url: subscriptions.url,
        active: subscriptions.active,
        secretEnc: subscriptions.secretEnc,
        previousSecretEnc: subscriptions.previousSecretEnc,
        previousSecretExpiresAt: subscriptions.previousSecretExpiresAt,
        headersEnc: subscriptions.headersEnc,
        authEnc: subscriptions.authEnc,
        retryPolicy: subscriptions.retryPolicy,
        timeoutMs: subscriptions.timeoutMs,
        breakerState: subscriptions.breakerState,
        breakerFailures: subscriptions.breakerFailures,
        backlog: subscriptions.backlog,
        failingSince: subscriptions.failingSince,
        traceContext: subscriptions.traceContext,
        transform: subscriptions.transform,
        ordering: subscriptions.ordering,
      },
      event: { id: events.id, body: events.body, traceParent: events.traceParent, expungedAt: events.expungedAt },
      tier: customers.tier,
    })
    .from(deliveries)
    .innerJoin(subscriptions, deliverySubscription)
    .innerJoin(events, deliveryEvent)
    .innerJoin(customers, eq(customers.id, deliveries.customerId))
    .where(and(inArray(deliveries.id, deliveryIds), inArray(deliveries.customerId, customerIds)));
}
