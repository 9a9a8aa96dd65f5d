import { parseJsonExact } from '../../json';
import { and, desc, eq, getTableColumns, gte, inArray, lt, lte, ne, sql } from 'drizzle-orm';
import { broadcasts, deliveries, events, subscriptions } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { idFloor } from '../ids';
import { notFound } from '../errors';
import { assertNamed, listingCustomer } from '../scope';
import { PLATFORM_CUSTOMER_ID } from '../platform-customer';
import { typeFilter } from '../type-filter';
import type { listEventsInput } from './inputs';
import type { z } from 'zod';
import { page, pageByBytes, PAGE_PAYLOAD_BYTES } from '../paging';
import { deliveryView, gateColumns, gateJoin } from '../delivery/delivery-reads';
import { routingTrace } from './routing-trace';

/**
 * Read side of events for the API and the dashboard. Every query is tenant-scoped. Reads are
 * bounded: lists carry a 1 KiB preview of an event's body unless asked for `full`, and an event read
 * carries its first deliveries with their total. The routing trace shows the fan-out's recorded
 * decisions.
 */
export const PAYLOAD_PREVIEW_BYTES = 1024;
export const DELIVERIES_PER_EVENT_READ = 50;
/**
 * Events visible to a customer: its own events and its copies of the broadcasts that reached it
 * (one shard). Without a customer (a platform read of every customer): each event once, so a
 * broadcast's per-customer copies are left out and the broadcast itself is read from `broadcasts`.
 */
export function eventVisibility(customerId: string | undefined) {
  return customerId
    ? eq(events.customerId, customerId)
    : and(eq(events.broadcast, false), ne(events.customerId, PLATFORM_CUSTOMER_ID));
}

type EventHead = Omit<typeof events.$inferSelect, 'body'>;
type BroadcastHead = Omit<typeof broadcasts.$inferSelect, 'body'>;

/** A broadcast read from `broadcasts` in the shape of an event row (no customer). */
function asEvent<T extends BroadcastHead>(b: T): T & { customerId: string; broadcast: true } {
  return { ...b, customerId: '', broadcast: true };
}

function eventHeadView(e: EventHead) {
  return {
    id: e.id,
    type: e.type,
    // A broadcast has no customer, whether read as the broadcast or as a customer's copy of it.
    customerId: e.broadcast ? null : e.customerId,
    idempotencyKey: e.idempotencyKey,
    channels: e.channels,
    tags: e.tags,
    orderingKey: e.orderingKey,
    deliveryCount: e.deliveryCount,
    fannedOut: e.fannedOutAt !== null,
    createdAt: e.createdAt.toISOString(),
    retentionUntil: e.retentionUntil.toISOString(),
    payloadExpungedAt: e.expungedAt?.toISOString() ?? null,
  };
}

/** One event with its whole payload: the delivered body `{"id","type","timestamp","data"}`, parsed. */
function eventView(e: typeof events.$inferSelect) {
  return { ...eventHeadView(e), payload: e.expungedAt ? null : parseJsonExact(e.body) };
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
    ...(e.body !== null && { payload: e.expungedAt ? null : parseJsonExact(e.body) }),
  };
}

/**
 * Events, newest first, keyset-paginated by id. A customer (or a platform key filtering by customer)
 * sees that customer's events and the broadcasts that reached it; `status` and `subscriptionId` select
 * events with such a delivery of that customer. `deliveryStatus` counts only that customer's deliveries.
 */
export async function listEvents(ctx: Ctx, scope: Scope, input: z.infer<typeof listEventsInput>) {
  const customerId = listingCustomer(scope, input.customerId);
  // `id` is a search (the dashboard's search box): no such event is an empty page, not a 404.
  await assertNamed(ctx, scope, customerId, { subscriptionId: input.subscriptionId });
  const deliveryCustomer = customerId ? sql` and ${deliveries.customerId} = ${customerId}` : sql``;
  const { body: _body, ...head } = getTableColumns(events);
  // The same preview columns and the same filters on either table of events.
  const listed = (t: typeof events | typeof broadcasts) => ({
    columns: {
      // Only the preview's worth leaves the database (1,024 characters hold at least 1 KiB of UTF-8).
      head: sql<string>`left(${t.body}, ${PAYLOAD_PREVIEW_BYTES})`,
      bytes: sql<number>`octet_length(${t.body})`,
      // Whole bodies are read only for the rows a `full` page keeps (fullPageBodies).
      body: sql<null>`null`,
    },
    where: [
      input.id ? eq(t.id, input.id) : undefined,
      typeFilter(t.type, input.type),
      // `@>` on (customer_id, tags) and (customer_id, channels): the GIN indexes of migration 0016.
      input.tag ? sql`${t.tags} @> array[${input.tag}]::text[]` : undefined,
      input.channel ? sql`${t.channels} @> array[${input.channel}]::text[]` : undefined,
      // An event's id begins with its creation time: the id bounds let the planner skip the
      // partitions and index ranges outside [from, to]; created_at keeps the bounds exact.
      input.from ? and(gte(t.createdAt, input.from), gte(t.id, idFloor('event', input.from.getTime()))) : undefined,
      input.to ? and(lte(t.createdAt, input.to), lt(t.id, idFloor('event', input.to.getTime() + 1))) : undefined,
      input.status || input.subscriptionId
        ? sql`exists (select 1 from ${deliveries} where ${deliveries.eventId} = ${t.id}${deliveryCustomer}${input.status ? sql` and ${deliveries.status} = ${input.status}` : sql``}${input.subscriptionId ? sql` and ${deliveries.subscriptionId} = ${input.subscriptionId}` : sql``})`
        : undefined,
      input.cursor ? lt(t.id, input.cursor) : undefined,
    ],
  });
  const own = listed(events);
  const ownRows = await ctx.db
    .select({ ...head, ...own.columns })
    .from(events)
    .where(and(eventVisibility(customerId), ...own.where))
    .orderBy(desc(events.id))
    .limit(input.limit + 1);
  // Every customer's events: the broadcasts come from their own table, merged in id order.
  const { body: _b, ...broadcastHead } = getTableColumns(broadcasts);
  const shared = listed(broadcasts);
  const sharedRows = customerId
    ? []
    : (
        await ctx.db
          .select({ ...broadcastHead, ...shared.columns })
          .from(broadcasts)
          .where(and(...shared.where))
          .orderBy(desc(broadcasts.id))
          .limit(input.limit + 1)
      ).map(asEvent);
  const rows = [...ownRows, ...sharedRows]
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, input.limit + 1);
  const p = input.full ? await fullPage(ctx, rows, input.limit, customerId) : page(rows, input.limit);
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

/** A `full` page holds whole payloads up to about this many bytes, then `nextCursor` goes on. */
export const FULL_PAGE_BYTES = PAGE_PAYLOAD_BYTES;

/**
 * The page of a `full` list: as many rows as fit in FULL_PAGE_BYTES (by their stored size, known
 * without reading them), then their bodies, read for those rows alone.
 */
async function fullPage<T extends EventHead & { bytes: number; body: string | null }>(
  ctx: Ctx,
  rows: T[],
  limit: number,
  customerId: string | undefined,
): Promise<{ data: T[]; nextCursor: string | null }> {
  const { data, nextCursor } = pageByBytes(rows, limit, FULL_PAGE_BYTES);
  const own = data.filter((r) => !(r.broadcast && r.customerId === '')).map((r) => r.id);
  const shared = data.filter((r) => r.broadcast && r.customerId === '').map((r) => r.id);
  const bodies = new Map<string, string>();
  if (own.length) {
    const found = await ctx.db
      .select({ id: events.id, body: events.body })
      .from(events)
      .where(and(inArray(events.id, own), customerId ? eq(events.customerId, customerId) : eventVisibility(undefined)));
    for (const f of found) bodies.set(f.id, f.body);
  }
  if (shared.length) {
    const found = await ctx.db
      .select({ id: broadcasts.id, body: broadcasts.body })
      .from(broadcasts)
      .where(inArray(broadcasts.id, shared));
    for (const f of found) bodies.set(f.id, f.body);
  }
  return { data: data.map((r) => ({ ...r, body: bodies.get(r.id) ?? null })), nextCursor };
}

/**
 * One event with its deliveries, and the routing trace: for each of the customer's subscriptions,
 * whether it matched (and by which pattern) or why not. The payload comes once; the deliveries are
 * the first `DELIVERIES_PER_EVENT_READ` (oldest first) with `deliveriesTotal` and `deliveryStatus`
 * (counts over all of them); the rest are `GET /deliveries?eventId=`.
 */
export async function getEvent(ctx: Ctx, scope: Scope, id: string) {
  const [own] = await ctx.db
    .select()
    .from(events)
    .where(and(eq(events.id, id), eventVisibility(scope.kind === 'customer' ? scope.customerId : undefined)));
  const [shared] =
    own || scope.kind === 'customer' ? [] : await ctx.db.select().from(broadcasts).where(eq(broadcasts.id, id));
  const event = own ?? (shared && asEvent(shared));
  if (!event) throw notFound('event');
  const joined = await ctx.db
    .select({ delivery: deliveries, gate: gateColumns })
    .from(deliveries)
    .innerJoin(subscriptions, gateJoin)
    .where(
      and(
        eq(deliveries.eventId, id),
        event.broadcast && scope.kind === 'platform' ? undefined : eq(deliveries.customerId, event.customerId),
      ),
    )
    .orderBy(deliveries.id);
  const ds = joined.map((r) => r.delivery);
  const routing = await routingTrace(ctx, scope, event, ds, DELIVERIES_PER_EVENT_READ);
  const deliveryStatus: Record<string, number> = {};
  for (const d of ds) deliveryStatus[d.status] = (deliveryStatus[d.status] ?? 0) + 1;
  return {
    ...eventView(event),
    deliveries: joined.slice(0, DELIVERIES_PER_EVENT_READ).map((r) => deliveryView(ctx, r.delivery, r.gate)),
    deliveriesTotal: ds.length,
    deliveryStatus,
    routing,
  };
}
