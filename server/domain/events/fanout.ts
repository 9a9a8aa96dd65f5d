import { and, asc, eq, gt, isNull, lte, ne, sql } from 'drizzle-orm';
import { broadcasts, deliveries, events, subscriptions } from '../../../drizzle/schema';
import type { FilteredOut } from '../../../drizzle/schema';
import { rawClient, type Tx } from '../../db/client';
import type { Ctx } from '../context';
import { admit, enqueueAdmitted, flagBacklog, windowRoom } from '../delivery/dispatch';
import { deliveryIdOf } from '../ids';
import { initialStatus } from '../delivery/state';
import { firstMatch } from '../patterns';
import { inChannels } from '../channels';
import { countUsage, dayOf } from '../audit/usage';
import { evaluateFilter, type Filter } from '../filters';
import { parseJsonExact } from '../../json';
import { contextFrom, contextOf, type TraceContext } from '../../tracing-context';
import { endFanoutSpan, startFanoutSpan } from '../../tracing-spans';
import { tracingOn } from '../../tracing';
import { retentionDaysOf, retentionUntilOf } from '../retention-period';
import { PLATFORM_CUSTOMER_ID } from '../platform-customer';

const PAGE = 1000;

/** `trace`: the fan-out span's context (tracing on), the parent of the deliveries' admissions. */
export type FanOutEvent = {
  id: string;
  customerId: string | null;
  type: string;
  /** The event's channels (routing) and tags (carried to a broadcast's per-customer copies). */
  channels?: string[];
  tags?: string[];
  /** The ordering lane's key (server/domain/delivery/lanes.ts); null or absent: unordered. */
  orderingKey?: string | null;
  createdAt?: Date;
  retentionUntil?: Date;
  body?: string;
  traceParent?: string | null;
  trace?: TraceContext;
};
/**
 * A subscription an event goes to, with the fan-out's decision: `active` false makes the delivery
 * `held` (a paused or disabled subscription holds what it matches; nothing is dropped), and
 * `pattern` is the pattern that matched (null for a test event), kept for the routing trace.
 */
export type Target = { id: string; customerId: string; active: boolean; pattern: string | null };

/** A subscription as the fan-out reads it. */
export type Candidate = { id: string; customerId: string; eventTypes: string[]; channels: string[]; active: boolean; filter: Filter | null };

/** What the fan-out decides for one event: where it goes, and which subscriptions a filter kept it from. */
export type Routing = { targets: Target[]; filteredOut: FilteredOut[] };

/** At most this many filter decisions are stored per event for the routing trace (events.filtered_out). */
export const FILTER_TRACE_LIMIT = 100;

/** The columns `targetsOf` needs. */
export const candidateColumns = {
  id: subscriptions.id,
  customerId: subscriptions.customerId,
  eventTypes: subscriptions.eventTypes,
  channels: subscriptions.channels,
  active: subscriptions.active,
  filter: subscriptions.filter,
};

/** The delivered body, parsed on first use only (most subscriptions have no filter), numbers exact (for filters). */
export function lazyBody(text: string): () => unknown {
  let parsed: { v: unknown } | null = null;
  return () => (parsed ??= { v: parseJsonExact(text) }).v;
}

/**
 * The targets among `subs` for an event of `type` in `channels`: every subscription, on or off, with
 * a matching pattern, channels that let the event in (server/domain/channels.ts) and a filter that
 * holds on the body; and those a filter excluded, with the condition that failed. (A channel
 * mismatch is not recorded: the routing trace derives it from the event's and the subscription's channels.)
 */
export function targetsOf(subs: Candidate[], type: string, body: () => unknown, channels: readonly string[] = []): Routing {
  const targets: Target[] = [];
  const filteredOut: FilteredOut[] = [];
  for (const s of subs) {
    const pattern = firstMatch(s.eventTypes, type);
    if (!pattern || !inChannels(s.channels, channels)) continue;
    const verdict = s.filter ? evaluateFilter(s.filter, body()) : null;
    if (verdict && !verdict.matches) filteredOut.push({ subscriptionId: s.id, customerId: s.customerId, pattern, failed: verdict.failed });
    else targets.push({ id: s.id, customerId: s.customerId, active: s.active, pattern });
  }
  return { targets, filteredOut };
}

/**
 * Subscriptions whose patterns match `type` and whose filters hold on `body` (of one customer, or of
 * all for a broadcast), paused ones included, one page after subscription id `after`; only those
 * that existed when the event was accepted (`createdBefore`). `more` says whether another page may follow.
 */
export async function matchingPage(
  tx: Tx,
  customerId: string | null,
  type: string,
  channels: readonly string[],
  body: () => unknown,
  after: string,
  pageSize: number,
  createdBefore?: Date,
): Promise<{ matching: Target[]; filteredOut: FilteredOut[]; more: boolean; last: string | null }> {
  const page = await tx
    .select(candidateColumns)
    .from(subscriptions)
    .where(
      and(
        gt(subscriptions.id, after),
        // A broadcast goes to every customer's subscriptions, never to the operational webhooks.
        customerId ? eq(subscriptions.customerId, customerId) : ne(subscriptions.customerId, PLATFORM_CUSTOMER_ID),
        createdBefore ? lte(subscriptions.createdAt, createdBefore) : undefined,
      ),
    )
    .orderBy(asc(subscriptions.id))
    .limit(pageSize);
  const { targets, filteredOut } = targetsOf(page, type, body, channels);
  return { matching: targets, filteredOut, more: page.length === pageSize, last: page.at(-1)?.id ?? null };
}

/**
 * Creates the deliveries of `event` to `targets` in the caller's transaction and admits them into
 * their subscriptions' windows (server/domain/delivery/dispatch.ts); what does not fit waits in the table.
 * Idempotent: a delivery's id is derived from `(event_id, subscription_id)` (`deliveryIdOf`), so a
 * re-run after a crash creates nothing twice.
 */
export async function createDeliveries(ctx: Ctx, tx: Tx, event: FanOutEvent, targets: Target[]): Promise<Map<string, number>> {
  return createDeliveriesFor(ctx, tx, [{ event, targets }]);
}

/**
 * `createDeliveries` for several events at once: one read of the windows' room, one insert (those
 * that fit inserted queued, with their jobs), then an admission and a backlog flag only for what
 * did not fit. Returns how many deliveries it created per customer.
 */
export async function createDeliveriesFor(ctx: Ctx, tx: Tx, items: Array<{ event: FanOutEvent; targets: Target[] }>): Promise<Map<string, number>> {
  const now = ctx.now();
  const rows = items.flatMap(({ event, targets }) =>
    targets.map((s) => ({
      id: deliveryIdOf(event.id, s.id),
      eventId: event.id,
      subscriptionId: s.id,
      customerId: s.customerId,
      eventType: event.type,
      status: initialStatus(s.active),
      route: s.pattern === null ? ('test' as const) : s.active ? ('matched' as const) : ('held' as const),
      matchedPattern: s.pattern,
      orderingKey: event.orderingKey ?? null,
      queuedAt: null as Date | null,
      nextAttemptAt: now,
      cycleStartedAt: now,
      createdAt: now,
    })),
  );
  const made = new Map<string, number>();
  if (rows.length === 0) return made;
  const startedAt = tracingOn() ? Date.now() : 0;
  const parents = tracingOn() ? new Map(items.flatMap(({ event }) => (event.trace ? [[event.id, event.trace] as const] : []))) : undefined;
  const subsOf = (ds: Array<{ subscriptionId: string; customerId: string }>) => [
    ...new Map(ds.map((d) => [d.subscriptionId, { id: d.subscriptionId, customerId: d.customerId }])).values(),
  ];
  // PostgreSQL: what fits in the windows is inserted queued (dispatch.ts, windowRoom); on Citus,
  // every delivery is inserted waiting and admitted per customer's shard.
  const room = ctx.config.distributed ? null : await windowRoom(ctx, tx, subsOf(rows.filter((r) => r.status === 'pending')));
  for (const r of [...rows].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    // A delivery with an ordering key is admitted by `admit` only, which keeps its lane one at a time.
    const w = r.status === 'pending' && !r.orderingKey ? room?.get(r.subscriptionId) : undefined;
    if (w && !w.waiting && w.room > 0 && w.customer.room > 0) {
      r.queuedAt = now;
      w.room -= 1;
      w.customer.room -= 1;
    }
  }
  const inserted = ctx.config.distributed ? await insertRows(tx, rows) : await insertColumns(tx, rows, now);
  for (const d of inserted) made.set(d.customerId, (made.get(d.customerId) ?? 0) + 1);
  await enqueueAdmitted(
    ctx,
    tx,
    inserted
      .filter((d) => d.queued)
      .map((d) => ({
        id: d.id,
        event_id: d.eventId,
        attempt_count: d.attemptCount,
        priority: d.priority,
        subscription_id: d.subscriptionId,
        customer_id: d.customerId,
        tier: room!.get(d.subscriptionId)!.tier,
        probe: false,
      })),
    'fast',
    startedAt,
    parents,
  );
  // The rest wait in the table. A window with room and a backlog (and, on Citus, every window) is
  // filled oldest first; a full window, a rate limit, an open breaker leave them to the dispatcher.
  const waiting = inserted.filter((d) => d.status === 'pending' && !d.queued);
  if (waiting.length === 0) return made;
  const touched = subsOf(waiting);
  const admissible = room ? touched.filter((s) => (room.get(s.id)?.room ?? 0) > 0 && (room.get(s.id)?.customer.room ?? 0) > 0) : touched;
  const admitted = admissible.length ? await admit(ctx, tx, { subscriptions: admissible, fast: true, ...(parents && { parents }) }) : [];
  if (admitted.length < waiting.length) await flagBacklog(tx, touched);
  return made;
}

type DeliveryRow = typeof deliveries.$inferInsert & { id: string; subscriptionId: string; customerId: string; status: string };
type Inserted = {
  id: string;
  eventId: string;
  subscriptionId: string;
  customerId: string;
  status: string;
  queued: boolean;
  priority: number;
  attemptCount: number;
};

/** One row of parameters per delivery (Citus routes a multi-row VALUES insert to each row's shard). */
function insertRows(tx: Tx, rows: DeliveryRow[]): Promise<Inserted[]> {
  return tx
    .insert(deliveries)
    .values(rows)
    .onConflictDoNothing({ target: [deliveries.id, deliveries.customerId] })
    .returning({
      id: deliveries.id,
      eventId: deliveries.eventId,
      subscriptionId: deliveries.subscriptionId,
      customerId: deliveries.customerId,
      status: deliveries.status,
      queued: sql<boolean>`${deliveries.queuedAt} is not null`,
      priority: deliveries.priority,
      attemptCount: deliveries.attemptCount,
    });
}

/**
 * One array per column, unnested by PostgreSQL: a broadcast's page of 1,000 deliveries is 8 array
 * parameters, not 11,000 scalars for the client to build and send (building and sending them was
 * over half of a 10,000-subscription fan-out). The same rows and conflict rule as `insertRows`.
 */
async function insertColumns(tx: Tx, rows: DeliveryRow[], now: Date): Promise<Inserted[]> {
  const col = (f: (r: DeliveryRow) => string | null | undefined) => rows.map((r) => f(r) ?? null);
  const at = now.toISOString();
  return rawClient(tx)<Inserted[]>`
    insert into deliveries (id, event_id, subscription_id, customer_id, event_type, status, route, matched_pattern, ordering_key, queued_at, next_attempt_at,
                            cycle_started_at, created_at)
    select u.id, u.event_id, u.subscription_id, u.customer_id, u.event_type, u.status, u.route, u.matched_pattern, u.ordering_key,
           u.queued_at::timestamptz, ${at}::timestamptz, ${at}::timestamptz, ${at}::timestamptz
    from unnest(${col((r) => r.id)}::text[], ${col((r) => r.eventId)}::text[], ${col((r) => r.subscriptionId)}::text[], ${col((r) => r.customerId)}::text[],
                ${col((r) => r.eventType)}::text[], ${col((r) => r.status)}::text[], ${col((r) => r.route)}::text[], ${col((r) => r.matchedPattern)}::text[],
                ${col((r) => r.orderingKey)}::text[], ${col((r) => (r.queuedAt ? at : null))}::text[])
         as u(id, event_id, subscription_id, customer_id, event_type, status, route, matched_pattern, ordering_key, queued_at)
    on conflict (id, customer_id) do nothing
    returning id, event_id as "eventId", subscription_id as "subscriptionId", customer_id as "customerId", status, queued_at is not null as queued,
              priority, attempt_count as "attemptCount"`;
}

/**
 * Fans an event out to every matching subscription, reading subscriptions in pages of 1,000 and
 * writing deliveries and jobs in batches (a 10,000-subscriber broadcast is ten pages, not 10,000
 * queries). Then marks the event fanned out with its delivery count. A broadcast (`customerId`
 * null) first gets, for each customer a page reaches, that customer's copy in `events` (same id),
 * so the customer's deliveries, reads and replays stay on the customer's own shard.
 */
export async function fanOutEvent(ctx: Ctx, tx: Tx, event: FanOutEvent): Promise<{ deliveries: number; filteredOut: number }> {
  let after = '';
  const filteredOut: FilteredOut[] = [];
  const body = event.body === undefined ? () => undefined : lazyBody(event.body);
  const perCustomer = new Map<string, number>();
  for (;;) {
    const page = await matchingPage(tx, event.customerId, event.type, event.channels ?? [], body, after, PAGE, event.createdAt);
    if (!event.customerId) await copyBroadcast(ctx, tx, event, page.matching, page.filteredOut);
    const made = await createDeliveries(ctx, tx, event, page.matching);
    for (const [customerId, n] of made) perCustomer.set(customerId, (perCustomer.get(customerId) ?? 0) + n);
    filteredOut.push(...page.filteredOut.slice(0, FILTER_TRACE_LIMIT - filteredOut.length));
    if (!page.more || !page.last) break;
    after = page.last;
  }
  const total = [...perCustomer.values()].reduce((t, n) => t + n, 0);
  const done = { fannedOutAt: ctx.now(), deliveryCount: total, ...(filteredOut.length && { filteredOut }) };
  if (event.customerId) {
    await tx
      .update(events)
      .set(done)
      .where(and(eq(events.id, event.id), eq(events.customerId, event.customerId)));
  } else {
    // A broadcast counts as one published event, and its body's bytes as stored, for each customer it
    // reached (each gets its own copy; a customer's own event was counted when it was accepted).
    const published = event.body === undefined ? 0 : Buffer.byteLength(event.body);
    await countUsage(
      tx,
      [...perCustomer.keys()].map((customerId) => ({ customerId, day: dayOf(event.createdAt ?? ctx.now()), events: 1, published })),
    );
    await tx.update(broadcasts).set(done).where(eq(broadcasts.id, event.id));
  }
  return { deliveries: total, filteredOut: filteredOut.length };
}

/**
 * Writes a broadcast's copy for each customer among `targets`, with that customer's filter
 * decisions for its routing trace (once per customer: a customer whose subscriptions span several
 * pages adds to its copy's delivery count and decisions). A customer the broadcast reached no
 * subscription of gets no copy: for it, the event does not exist.
 */
async function copyBroadcast(ctx: Ctx, tx: Tx, event: FanOutEvent, targets: Target[], filteredOut: FilteredOut[]): Promise<void> {
  if (targets.length === 0 || event.body === undefined || !event.createdAt || !event.retentionUntil) return;
  const counts = new Map<string, number>();
  for (const t of targets) counts.set(t.customerId, (counts.get(t.customerId) ?? 0) + 1);
  const decisions = new Map<string, FilteredOut[]>();
  for (const f of filteredOut) if (counts.has(f.customerId)) decisions.set(f.customerId, [...(decisions.get(f.customerId) ?? []), f]);
  // A customer's copy is kept no longer than the customer's own retention (nor than the broadcast).
  const retention = await retentionDaysOf(tx, [...counts.keys()]);
  const keptUntil = (customerId: string) => {
    const own = retentionUntilOf(ctx, event.createdAt!, retention.get(customerId));
    return own < event.retentionUntil! ? own : event.retentionUntil!;
  };
  await tx
    .insert(events)
    .values(
      [...counts].map(([customerId, n]) => ({
        id: event.id,
        customerId,
        broadcast: true,
        type: event.type,
        channels: event.channels ?? [],
        tags: event.tags ?? [],
        orderingKey: event.orderingKey ?? null,
        body: event.body!,
        fannedOutAt: ctx.now(),
        deliveryCount: n,
        filteredOut: decisions.get(customerId)?.slice(0, FILTER_TRACE_LIMIT) ?? null,
        traceParent: event.traceParent ?? null,
        createdAt: event.createdAt!,
        retentionUntil: keptUntil(customerId),
      })),
    )
    .onConflictDoUpdate({
      target: [events.id, events.customerId],
      set: {
        deliveryCount: sql`${events.deliveryCount} + excluded.delivery_count`,
        filteredOut: sql`case when excluded.filtered_out is null then ${events.filteredOut} else coalesce(${events.filteredOut}, '[]'::jsonb) || excluded.filtered_out end`,
      },
    });
}

/**
 * The `fanout` job: runs the fan-out of a broadcast, or of a customer event with very many
 * subscriptions, in its own transaction. A job without `customerId` is a broadcast's (or, from
 * before customer ids rode in jobs, a customer event's, found by id alone).
 */
export async function runFanOutJob(ctx: Ctx, job: { eventId: string; customerId?: string }): Promise<void> {
  const { eventId } = job;
  let span: ReturnType<typeof startFanoutSpan>;
  let result: { deliveries: number; filteredOut: number } | undefined;
  try {
    await ctx.db.transaction(async (tx) => {
      // A job without a customer is a broadcast's, or a customer event's from before jobs named the
      // customer: one read of `broadcasts` (under its lock) tells which.
      const [broadcast] = job.customerId
        ? []
        : await tx
            .select({
              id: broadcasts.id,
              type: broadcasts.type,
              channels: broadcasts.channels,
              tags: broadcasts.tags,
              orderingKey: broadcasts.orderingKey,
              createdAt: broadcasts.createdAt,
              retentionUntil: broadcasts.retentionUntil,
              body: broadcasts.body,
              traceParent: broadcasts.traceParent,
              fannedOutAt: broadcasts.fannedOutAt,
            })
            .from(broadcasts)
            .where(eq(broadcasts.id, eventId))
            .for('update');
      if (broadcast?.fannedOutAt) return; // already fanned out
      const [scoped] = broadcast
        ? []
        : await tx
            .select({
              id: events.id,
              customerId: events.customerId,
              type: events.type,
              channels: events.channels,
              tags: events.tags,
              orderingKey: events.orderingKey,
              createdAt: events.createdAt,
              retentionUntil: events.retentionUntil,
              body: events.body,
              traceParent: events.traceParent,
            })
            .from(events)
            .where(and(eq(events.id, eventId), job.customerId ? eq(events.customerId, job.customerId) : undefined, isNull(events.fannedOutAt)))
            .for('update');
      const event = scoped ?? (broadcast && { ...broadcast, customerId: null });
      if (!event) return; // already fanned out, or purged
      // Another process published it: the fan-out joins the event's trace through its stored traceparent.
      span = startFanoutSpan(contextFrom(event.traceParent), eventId, false);
      result = await fanOutEvent(ctx, tx, { ...event, ...(span && { trace: contextOf(span) }) });
      ctx.log.debug({ eventId, customerId: event.customerId, deliveries: result.deliveries }, 'event fanned out');
    });
  } catch (err) {
    endFanoutSpan(span, result?.deliveries ?? 0, result?.filteredOut ?? 0, err);
    throw err;
  }
  endFanoutSpan(span, result?.deliveries ?? 0, result?.filteredOut ?? 0);
}
