import { and, count, desc, eq, getTableColumns, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import { attempts, deliveries, events, subscriptions } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { restartCycle } from './state';
import { admit, admitProbe, flagBacklog } from './dispatch';
import { DomainError, notFound } from '../errors';
import { assertWritable, listingCustomer, scopeFilter } from '../tenants/scope';
import { typeFilter } from '../type-filter';
import type { getDeliveryInput, listDeliveriesInput, listEventsInput } from '../schemas';
import type { z } from 'zod';

/**
 * Read side of deliveries and events for the API and the dashboard. Every query is tenant-scoped.
 * Reads are bounded: an event's body (up to 256 KiB) travels at most once per read (never once per
 * attempt), lists carry a 1 KiB preview of it unless asked for `full`, and a delivery read carries
 * its latest attempts, an event read its first deliveries, each with the total.
 */
export const PAYLOAD_PREVIEW_BYTES = 1024;
export const ATTEMPTS_PER_READ = 50;
export const DELIVERIES_PER_EVENT_READ = 50;

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

/**
 * One attempt. Its request carries method, URL and headers but not the body: every attempt sent the
 * event's exact body, which the delivery read returns once (`requestBody`).
 */
export function attemptView(a: AttemptRow) {
  return {
    id: a.id,
    attemptSeq: a.attemptSeq,
    trigger: a.trigger,
    status: a.status,
    startedAt: a.startedAt.toISOString(),
    latencyMs: a.latencyMs,
    request: { method: 'POST', url: a.url, headers: a.requestHeaders },
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

/**
 * One delivery: the exact request body once (`requestBody`, unless `includeBody` is false: the
 * event page has it already), and its latest `ATTEMPTS_PER_READ` attempts, oldest first, with
 * `attemptsTotal`; `attemptsNextCursor` (an attempt number) pages to the older ones.
 */
export async function getDelivery(ctx: Ctx, scope: Scope, input: Pick<z.infer<typeof getDeliveryInput>, 'id'> & Partial<z.infer<typeof getDeliveryInput>>) {
  const { id, includeBody = true, attemptsCursor } = input;
  const [row] = await ctx.db
    .select({ delivery: deliveries, body: includeBody ? events.body : sql<null>`null`, url: subscriptions.url })
    .from(deliveries)
    .innerJoin(events, eq(events.id, deliveries.eventId))
    .innerJoin(subscriptions, eq(subscriptions.id, deliveries.subscriptionId))
    .where(and(eq(deliveries.id, id), scopeFilter(scope, deliveries.customerId)));
  if (!row) throw notFound('delivery');
  const [newest, [total]] = await Promise.all([
    ctx.db
      .select()
      .from(attempts)
      .where(and(eq(attempts.deliveryId, id), attemptsCursor ? lt(attempts.attemptSeq, attemptsCursor) : undefined))
      .orderBy(desc(attempts.attemptSeq))
      .limit(ATTEMPTS_PER_READ + 1),
    ctx.db.select({ n: count() }).from(attempts).where(eq(attempts.deliveryId, id)),
  ]);
  const shown = newest.slice(0, ATTEMPTS_PER_READ).reverse();
  return {
    ...deliveryView(row.delivery),
    subscriptionUrl: row.url,
    ...(row.body !== null && { requestBody: row.body }),
    attempts: shown.map(attemptView),
    attemptsTotal: total?.n ?? 0,
    attemptsNextCursor: newest.length > ATTEMPTS_PER_READ ? (shown[0]?.attemptSeq ?? null) : null,
  };
}

/** Events visible to a customer: its own events and the broadcasts that reached it. Undefined: all events. */
function eventVisibility(customerId: string | undefined) {
  if (!customerId) return undefined;
  return sql`(${events.customerId} = ${customerId} or (${events.customerId} is null and exists (select 1 from ${deliveries} where ${deliveries.eventId} = ${events.id} and ${deliveries.customerId} = ${customerId})))`;
}

type EventHead = Omit<typeof events.$inferSelect, 'body'>;

function eventHeadView(e: EventHead) {
  return {
    id: e.id,
    type: e.type,
    customerId: e.customerId,
    idempotencyKey: e.idempotencyKey,
    deliveryCount: e.deliveryCount,
    fannedOut: e.fannedOutAt !== null,
    createdAt: e.createdAt.toISOString(),
    retentionUntil: e.retentionUntil.toISOString(),
  };
}

/** One event with its whole payload: the delivered body `{"id","type","timestamp","data"}`, parsed. */
export function eventView(e: typeof events.$inferSelect) {
  return { ...eventHeadView(e), payload: JSON.parse(e.body) as unknown };
}

/** The first `maxBytes` bytes of `s` as UTF-8, never ending in half a character. */
function utf8Prefix(s: string, maxBytes: number): string {
  const bytes = Buffer.from(s, 'utf8');
  return bytes.length <= maxBytes ? s : new TextDecoder().decode(bytes.subarray(0, maxBytes), { stream: true });
}

/**
 * An event in a list: `payloadPreview` is the start of the delivered body (at most 1 KiB),
 * `payloadTruncated` says whether there is more, `payloadBytes` is the body's size; `payload`, the
 * whole body parsed, only when the list was asked for `full`.
 */
function eventListView(e: EventHead & { head: string; bytes: number; body: string | null }) {
  return {
    ...eventHeadView(e),
    payloadBytes: e.bytes,
    payloadPreview: utf8Prefix(e.head, PAYLOAD_PREVIEW_BYTES),
    payloadTruncated: e.bytes > PAYLOAD_PREVIEW_BYTES,
    ...(e.body !== null && { payload: JSON.parse(e.body) as unknown }),
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
  const { body: _body, ...head } = getTableColumns(events);
  const rows = await ctx.db
    .select({
      ...head,
      // Only the preview's worth leaves the database (1,024 characters hold at least 1 KiB of UTF-8).
      head: sql<string>`left(${events.body}, ${PAYLOAD_PREVIEW_BYTES})`,
      bytes: sql<number>`octet_length(${events.body})`,
      body: input.full ? events.body : sql<null>`null`,
    })
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
      return { ...eventListView(e), deliveryStatus: Object.fromEntries(mine.map((c) => [c.status, c.n])) };
    }),
    nextCursor: p.nextCursor,
  };
}

/**
 * One event with its deliveries, and the routing trace: for each of the customer's subscriptions,
 * whether it matched (and by which pattern) or why not. The payload comes once; the deliveries are
 * the first `DELIVERIES_PER_EVENT_READ` (oldest first) with `deliveriesTotal` and `deliveryStatus`
 * (counts over all of them); the rest are `GET /deliveries?eventId=`.
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
  // A platform read of a broadcast spans every customer: its trace is capped like its deliveries.
  const routing = [...(traceCustomer ? routed : routed.slice(0, DELIVERIES_PER_EVENT_READ)), ...skipped];
  const deliveryStatus: Record<string, number> = {};
  for (const d of ds) deliveryStatus[d.status] = (deliveryStatus[d.status] ?? 0) + 1;
  return { ...eventView(event), deliveries: ds.slice(0, DELIVERIES_PER_EVENT_READ).map(deliveryView), deliveriesTotal: ds.length, deliveryStatus, routing };
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
