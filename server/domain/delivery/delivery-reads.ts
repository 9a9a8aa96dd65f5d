import { and, count, desc, eq, gte, lt, lte, sql } from 'drizzle-orm';
import { attempts, deliveries, events, subscriptions } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';

import { notFound } from '../errors';
import { assertNamed, listedCustomers, listingCustomer, scopeFilter } from '../scope';
import { typeFilter } from '../type-filter';
import type { getDeliveryInput, listDeliveriesInput } from './inputs';
import type { z } from 'zod';
import { keysetRows, page } from '../paging';
import { deliveryWaiting, type SubscriptionGate } from './waiting';
import { deliveryEvent, deliverySubscription } from './joins';

/**
 * Read side of deliveries for the API and the dashboard. Every query is tenant-scoped. Reads are
 * bounded: a delivery read carries the event's body once (never once per attempt) and its latest
 * attempts, with their total.
 */
export const ATTEMPTS_PER_READ = 50;

type DeliveryRow = typeof deliveries.$inferSelect;

/** The subscription columns `deliveryWaiting` reads, to select next to a delivery (joined on id and customer). */
export const gateColumns = {
  active: subscriptions.active,
  disabledReason: subscriptions.disabledReason,
  breakerState: subscriptions.breakerState,
  breakerOpenedAt: subscriptions.breakerOpenedAt,
  breakerProbeAt: subscriptions.breakerProbeAt,
  rateLimitPerSecond: subscriptions.rateLimitPerSecond,
  retryPolicy: subscriptions.retryPolicy,
};
export const gateJoin = deliverySubscription;
type AttemptRow = typeof attempts.$inferSelect;

/** A delivery as the API shows it, with what it waits for (from its subscription's state `gate`). */
export function deliveryView(ctx: Ctx, d: DeliveryRow, gate: SubscriptionGate) {
  return {
    id: d.id,
    eventId: d.eventId,
    subscriptionId: d.subscriptionId,
    customerId: d.customerId,
    eventType: d.eventType,
    orderingKey: d.orderingKey,
    status: d.status,
    attemptCount: d.attemptCount,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    lastResponseStatus: d.lastResponseStatus,
    lastError: d.lastError,
    replayCount: d.replayCount,
    createdAt: d.createdAt.toISOString(),
    completedAt: d.completedAt?.toISOString() ?? null,
    waiting: deliveryWaiting(d, gate, ctx.now(), ctx.config.retryTimeScale),
  };
}

/**
 * One attempt. Its request carries method, URL and headers but not the body: every attempt sent the
 * event's exact body, which the delivery read returns once (`requestBody`), unless the subscription's
 * transform rewrote it: then the body this attempt sent is its `transformedBody`.
 */
function attemptView(a: AttemptRow) {
  return {
    id: a.id,
    attemptSeq: a.attemptSeq,
    trigger: a.trigger,
    status: a.status,
    startedAt: a.startedAt.toISOString(),
    latencyMs: a.latencyMs,
    request: { method: 'POST', url: a.url, headers: a.requestHeaders, transformedBody: a.requestBody },
    response:
      a.responseStatus === null
        ? null
        : { status: a.responseStatus, headers: a.responseHeaders ?? {}, bodyExcerpt: a.responseBody ?? '' },
    error: a.errorClass ? { class: a.errorClass, message: a.errorMessage } : null,
    nextRetryAt: a.nextRetryAt?.toISOString() ?? null,
  };
}

/**
 * Deliveries, newest first, keyset-paginated by id (ids are unique and time-sortable, so a page never
 * repeats or skips a row however many are inserted meanwhile). Filters combine with AND.
 */
export async function listDeliveries(ctx: Ctx, scope: Scope, input: z.infer<typeof listDeliveriesInput>) {
  const customerId = listingCustomer(scope, input.customerId);
  await assertNamed(ctx, scope, customerId, input);
  const rows = await keysetRows(
    ctx.db
      .select({ delivery: deliveries, gate: gateColumns })
      .from(deliveries)
      .innerJoin(subscriptions, gateJoin)
      .$dynamic(),
    deliveries.id,
    and(
      listedCustomers(customerId, deliveries.customerId),
      input.status ? eq(deliveries.status, input.status) : undefined,
      input.subscriptionId ? eq(deliveries.subscriptionId, input.subscriptionId) : undefined,
      typeFilter(deliveries.eventType, input.eventType),
      input.eventId ? eq(deliveries.eventId, input.eventId) : undefined,
      input.from ? gte(deliveries.createdAt, input.from) : undefined,
      input.to ? lte(deliveries.createdAt, input.to) : undefined,
    ),
    input,
  );
  const p = page(
    rows.map((r) => Object.assign(r, { id: r.delivery.id })),
    input.limit,
  );
  return { data: p.data.map((r) => deliveryView(ctx, r.delivery, r.gate)), nextCursor: p.nextCursor };
}

/**
 * One delivery: the exact request body once (`requestBody`, unless `includeBody` is false: the
 * event page has it already), and its latest `ATTEMPTS_PER_READ` attempts, oldest first, with
 * `attemptsTotal`; `attemptsNextCursor` (an attempt number) pages to the older ones.
 */
export async function getDelivery(
  ctx: Ctx,
  scope: Scope,
  input: Pick<z.infer<typeof getDeliveryInput>, 'id'> & Partial<z.infer<typeof getDeliveryInput>>,
) {
  const { id, includeBody = true, attemptsCursor } = input;
  const [row] = await ctx.db
    .select({
      delivery: deliveries,
      body: includeBody ? events.body : sql<null>`null`,
      expungedAt: events.expungedAt,
      url: subscriptions.url,
      gate: gateColumns,
    })
    .from(deliveries)
    .innerJoin(events, deliveryEvent)
    .innerJoin(subscriptions, deliverySubscription)
    .where(and(eq(deliveries.id, id), scopeFilter(scope, deliveries.customerId)));
  if (!row) throw notFound('delivery');
  const [newest, [total]] = await Promise.all([
    ctx.db
      .select()
      .from(attempts)
      .where(
        and(
          eq(attempts.deliveryId, id),
          eq(attempts.customerId, row.delivery.customerId),
          attemptsCursor ? lt(attempts.attemptSeq, attemptsCursor) : undefined,
        ),
      )
      .orderBy(desc(attempts.attemptSeq))
      .limit(ATTEMPTS_PER_READ + 1),
    ctx.db
      .select({ n: count() })
      .from(attempts)
      .where(and(eq(attempts.deliveryId, id), eq(attempts.customerId, row.delivery.customerId))),
  ]);
  const shown = newest.slice(0, ATTEMPTS_PER_READ).reverse();
  return {
    ...deliveryView(ctx, row.delivery, row.gate),
    subscriptionUrl: row.url,
    ...(row.body !== null && !row.expungedAt && { requestBody: row.body }),
    payloadExpungedAt: row.expungedAt?.toISOString() ?? null,
    attempts: shown.map(attemptView),
    attemptsTotal: total?.n ?? 0,
    attemptsNextCursor: newest.length > ATTEMPTS_PER_READ ? (shown[0]?.attemptSeq ?? null) : null,
  };
}
