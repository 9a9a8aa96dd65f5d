import { and, desc, eq, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import { attempts, deliveries, events, subscriptions } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { restartCycle } from './state';
import { admit, admitProbe, flagBacklog } from './dispatch';
import { DomainError, notFound } from '../errors';
import { assertWritable, listingCustomer, scopeFilter } from '../tenants/scope';
import { typeFilter } from '../type-filter';
import type { listDeliveriesInput, listEventsInput } from '../schemas';
import type { z } from 'zod';

/** Read side of deliveries and events for the API and the dashboard. Every query is tenant-scoped. */

type DeliveryRow = typeof deliveries.$inferSelect;
type AttemptRow = typeof attempts.$inferSelect;

export function deliveryView(d: DeliveryRow) {
  return {
    id: d.id,
    eventId: d.eventId,
    subscriptionId: d.subscriptionId,
    customerId: d.customerId,
    eventType: d.eventType,
    status: d.status,
    attemptCount: d.attemptCount,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    lastResponseStatus: d.lastResponseStatus,
    lastError: d.lastError,
    replayCount: d.replayCount,
    createdAt: d.createdAt.toISOString(),
    completedAt: d.completedAt?.toISOString() ?? null,
  };
}

export function attemptView(a: AttemptRow, body: string) {
  return {
    id: a.id,
    attemptSeq: a.attemptSeq,
    trigger: a.trigger,
    status: a.status,
    startedAt: a.startedAt.toISOString(),
    latencyMs: a.latencyMs,
    request: { method: 'POST', url: a.url, headers: a.requestHeaders, body },
    response: a.responseStatus === null ? null : { status: a.responseStatus, headers: a.responseHeaders ?? {}, bodyExcerpt: a.responseBody ?? '' },
    error: a.errorClass ? { class: a.errorClass, message: a.errorMessage } : null,
    nextRetryAt: a.nextRetryAt?.toISOString() ?? null,
  };
}

function page<T extends { id: string }>(rows: T[], limit: number) {
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? (data.at(-1)?.id ?? null) : null };
}

/**
 * Deliveries, newest first, keyset-paginated by id (ids are unique and time-sortable, so a page never
 * repeats or skips a row however many are inserted meanwhile). Filters combine with AND.
 */
export async function listDeliveries(ctx: Ctx, scope: Scope, input: z.infer<typeof listDeliveriesInput>) {
  const customerId = listingCustomer(scope, input.customerId);
  const rows = await ctx.db
    .select()
    .from(deliveries)
    .where(
      and(
        customerId ? eq(deliveries.customerId, customerId) : undefined,
        input.status ? eq(deliveries.status, input.status) : undefined,
        input.subscriptionId ? eq(deliveries.subscriptionId, input.subscriptionId) : undefined,
        typeFilter(deliveries.eventType, input.eventType),
        input.eventId ? eq(deliveries.eventId, input.eventId) : undefined,
        input.from ? gte(deliveries.createdAt, input.from) : undefined,
        input.to ? lte(deliveries.createdAt, input.to) : undefined,
        input.cursor ? lt(deliveries.id, input.cursor) : undefined,
      ),
    )
    .orderBy(desc(deliveries.id))
    .limit(input.limit + 1);
  const p = page(rows, input.limit);
  return { data: p.data.map(deliveryView), nextCursor: p.nextCursor };
}

export async function getDelivery(ctx: Ctx, scope: Scope, id: string) {
  const [row] = await ctx.db
    .select({ delivery: deliveries, body: events.body, url: subscriptions.url })
    .from(deliveries)
    .innerJoin(events, eq(events.id, deliveries.eventId))
    .innerJoin(subscriptions, eq(subscriptions.id, deliveries.subscriptionId))
    .where(and(eq(deliveries.id, id), scopeFilter(scope, deliveries.customerId)));
  if (!row) throw notFound('delivery');
  const list = await ctx.db.select().from(attempts).where(eq(attempts.deliveryId, id)).orderBy(attempts.attemptSeq);
  return { ...deliveryView(row.delivery), subscriptionUrl: row.url, attempts: list.map((a) => attemptView(a, row.body)) };
}

/** Events visible to a customer: its own events and the broadcasts that reached it. Undefined: all events. */
function eventVisibility(customerId: string | undefined) {
  if (!customerId) return undefined;
  return sql`(${events.customerId} = ${customerId} or (${events.customerId} is null and exists (select 1 from ${deliveries} where ${deliveries.eventId} = ${events.id} and ${deliveries.customerId} = ${customerId})))`;
}

export function eventView(e: typeof events.$inferSelect) {
  return {
    id: e.id,
    type: e.type,
    customerId: e.customerId,
    payload: JSON.parse(e.body) as unknown,
    idempotencyKey: e.idempotencyKey,
    deliveryCount: e.deliveryCount,
    fannedOut: e.fannedOutAt !== null,
    createdAt: e.createdAt.toISOString(),
    retentionUntil: e.retentionUntil.toISOString(),
  };
}

/**
 * Events, newest first, keyset-paginated by id. A customer (or a platform key filtering by customer)
 * sees that customer's events and the broadcasts that reached it; `status` and `subscriptionId` select
 * events with such a delivery of that customer. `deliveryStatus` counts only that customer's deliveries.
 */
export async function listEvents(ctx: Ctx, scope: Scope, input: z.infer<typeof listEventsInput>) {
  const customerId = listingCustomer(scope, input.customerId);
  const deliveryCustomer = customerId ? sql` and ${deliveries.customerId} = ${customerId}` : sql``;
  const rows = await ctx.db
    .select()
    .from(events)
    .where(
      and(
        eventVisibility(customerId),
        input.id ? eq(events.id, input.id) : undefined,
        typeFilter(events.type, input.type),
        input.from ? gte(events.createdAt, input.from) : undefined,
        input.to ? lte(events.createdAt, input.to) : undefined,
        input.status || input.subscriptionId
          ? sql`exists (select 1 from ${deliveries} where ${deliveries.eventId} = ${events.id}${deliveryCustomer}${input.status ? sql` and ${deliveries.status} = ${input.status}` : sql``}${input.subscriptionId ? sql` and ${deliveries.subscriptionId} = ${input.subscriptionId}` : sql``})`
          : undefined,
        input.cursor ? lt(events.id, input.cursor) : undefined,
      ),
    )
    .orderBy(desc(events.id))
    .limit(input.limit + 1);
  const p = page(rows, input.limit);
  const ids = p.data.map((e) => e.id);
  const counts = ids.length
    ? await ctx.db
        .select({ eventId: deliveries.eventId, status: deliveries.status, n: sql<number>`count(*)::int` })
        .from(deliveries)
        .where(and(inArray(deliveries.eventId, ids), customerId ? eq(deliveries.customerId, customerId) : undefined))
        .groupBy(deliveries.eventId, deliveries.status)
    : [];
  return {
    data: p.data.map((e) => {
      const mine = counts.filter((c) => c.eventId === e.id);
      return { ...eventView(e), deliveryStatus: Object.fromEntries(mine.map((c) => [c.status, c.n])) };
    }),
    nextCursor: p.nextCursor,
  };
}

/**
 * One event with its deliveries, and the routing trace: for each of the customer's subscriptions,
 * whether it matched (and by which pattern) or why not.
 */
export async function getEvent(ctx: Ctx, scope: Scope, id: string) {
  const [event] = await ctx.db.select().from(events).where(and(eq(events.id, id), eventVisibility(scope.kind === 'customer' ? scope.customerId : undefined)));
  if (!event) throw notFound('event');
  const ds = await ctx.db.select().from(deliveries).where(and(eq(deliveries.eventId, id), scopeFilter(scope, deliveries.customerId))).orderBy(deliveries.id);
  const traceCustomer = scope.kind === 'customer' ? scope.customerId : event.customerId;
  // The routing trace is the fan-out's decision, not one recomputed from today's subscriptions: a
  // delivery records whether it matched (and by which pattern) or was held; a subscription that
  // existed when the event was accepted and has no delivery did not match then. Subscriptions
  // created afterwards are not listed.
  const subs = traceCustomer
    ? await ctx.db
        .select({ id: subscriptions.id, url: subscriptions.url, eventTypes: subscriptions.eventTypes })
        .from(subscriptions)
        .where(and(eq(subscriptions.customerId, traceCustomer), lte(subscriptions.createdAt, event.createdAt)))
    : [];
  const byId = new Map(subs.map((s) => [s.id, s]));
  const missing = [...new Set(ds.map((d) => d.subscriptionId).filter((sid) => !byId.has(sid)))];
  if (missing.length) {
    const more = await ctx.db.select({ id: subscriptions.id, url: subscriptions.url, eventTypes: subscriptions.eventTypes }).from(subscriptions).where(inArray(subscriptions.id, missing));
    for (const s of more) byId.set(s.id, s);
  }
  const routed = ds.filter((d) => !traceCustomer || d.customerId === traceCustomer).map((d) => {
    const s = byId.get(d.subscriptionId);
    const reason =
      d.route === 'test' ? 'test event sent to this subscription'
      : d.route === 'held' ? `matched "${d.matchedPattern}" while the subscription was paused or disabled: held until it is resumed`
      : `matched "${d.matchedPattern}"`;
    return { subscriptionId: d.subscriptionId, url: s?.url ?? '', eventTypes: s?.eventTypes ?? [], decision: d.route, matched: true, reason };
  });
  const delivered = new Set(ds.map((d) => d.subscriptionId));
  const skipped = subs
    .filter((s) => !delivered.has(s.id))
    .map((s) => ({ subscriptionId: s.id, url: s.url, eventTypes: s.eventTypes, decision: 'not_matched' as const, matched: false, reason: `no pattern matched "${event.type}" when the event was published` }));
  const routing = [...routed, ...skipped];
  return { ...eventView(event), deliveries: ds.map(deliveryView), routing };
}

/**
 * Replays one delivery: a new retry cycle, attempt now, same webhook-id, fresh timestamp and
 * signature. Allowed for any delivery not already pending, while its event is within retention.
 */
export async function replayDelivery(ctx: Ctx, scope: Scope, id: string) {
  assertWritable(scope);
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ d: deliveries, retentionUntil: events.retentionUntil, active: subscriptions.active, breakerState: subscriptions.breakerState })
      .from(deliveries)
      .innerJoin(events, eq(events.id, deliveries.eventId))
      .innerJoin(subscriptions, eq(subscriptions.id, deliveries.subscriptionId))
      .where(and(eq(deliveries.id, id), scopeFilter(scope, deliveries.customerId)))
      .for('update', { of: deliveries });
    if (!row) throw notFound('delivery');
    if (row.d.status === 'pending') throw new DomainError('conflict', 'delivery is already scheduled for an attempt');
    if (row.d.status === 'held') throw new DomainError('conflict', 'delivery is held: resume its subscription to send it');
    if (row.retentionUntil <= ctx.now()) throw new DomainError('conflict', 'event is past its retention period and can no longer be replayed');
    if (!row.active) throw new DomainError('conflict', 'subscription is paused or disabled; resume it to replay');
    await restartCycle(ctx, tx, [id], { priority: 1, from: ['succeeded', 'dead'] });
    // A replay goes out at once: through the subscription's window when its breaker is closed, or
    // as the breaker's probe when it is open (the user says the endpoint is fixed; do not wait).
    if (row.breakerState === 'closed') {
      await admit(ctx, tx, { subscriptionIds: [row.d.subscriptionId], fast: true });
      await flagBacklog(tx, [row.d.subscriptionId]);
    } else {
      await admitProbe(ctx, tx, id);
    }
    const [updated] = await tx.select().from(deliveries).where(eq(deliveries.id, id));
    return deliveryView(updated!);
  });
}
