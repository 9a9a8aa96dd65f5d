import { and, asc, eq, gt, isNull, lte, sql } from 'drizzle-orm';
import { deliveries, events, subscriptions } from '../../../drizzle/schema';
import type { FilteredOut } from '../../../drizzle/schema';
import type { Tx } from '../../db/client';
import type { Ctx } from '../context';
import { admit, flagBacklog } from '../delivery/dispatch';
import { newId } from '../ids';
import { initialStatus } from '../delivery/state';
import { firstMatch } from '../patterns';
import { countUsage, dayOf } from '../audit/usage';
import { evaluateFilter, type Filter } from '../filters';
import { contextFrom, contextOf, endFanoutSpan, startFanoutSpan, tracingOn, type TraceContext } from '../../tracing';

const PAGE = 1000;

/** `trace`: the fan-out span's context (tracing on), the parent of the deliveries' admissions. */
export type FanOutEvent = { id: string; customerId: string | null; type: string; createdAt?: Date; body?: string; trace?: TraceContext };
/**
 * A subscription an event goes to, with the fan-out's decision: `active` false makes the delivery
 * `held` (a paused or disabled subscription holds what it matches; nothing is dropped), and
 * `pattern` is the pattern that matched (null for a test event), kept for the routing trace.
 */
export type Target = { id: string; customerId: string; active: boolean; pattern: string | null };

/** A subscription as the fan-out reads it. */
export type Candidate = { id: string; customerId: string; eventTypes: string[]; active: boolean; filter: Filter | null };

/** What the fan-out decides for one event: where it goes, and which subscriptions a filter kept it from. */
export type Routing = { targets: Target[]; filteredOut: FilteredOut[] };

/** At most this many filter decisions are stored per event for the routing trace (events.filtered_out). */
export const FILTER_TRACE_LIMIT = 100;

/** The columns `targetsOf` needs. */
export const candidateColumns = {
  id: subscriptions.id,
  customerId: subscriptions.customerId,
  eventTypes: subscriptions.eventTypes,
  active: subscriptions.active,
  filter: subscriptions.filter,
};

/** The delivered body, parsed on first use only (most subscriptions have no filter). */
export function lazyBody(text: string): () => unknown {
  let parsed: { v: unknown } | null = null;
  return () => (parsed ??= { v: JSON.parse(text) as unknown }).v;
}

/**
 * The targets among `subs` for an event of `type`: every subscription, on or off, with a matching
 * pattern and a filter that holds on the body; and those a filter excluded, with the condition that failed.
 */
export function targetsOf(subs: Candidate[], type: string, body: () => unknown): Routing {
  const targets: Target[] = [];
  const filteredOut: FilteredOut[] = [];
  for (const s of subs) {
    const pattern = firstMatch(s.eventTypes, type);
    if (!pattern) continue;
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
        customerId ? eq(subscriptions.customerId, customerId) : undefined,
        createdBefore ? lte(subscriptions.createdAt, createdBefore) : undefined,
      ),
    )
    .orderBy(asc(subscriptions.id))
    .limit(pageSize);
  const { targets, filteredOut } = targetsOf(page, type, body);
  return { matching: targets, filteredOut, more: page.length === pageSize, last: page.at(-1)?.id ?? null };
}

/**
 * Creates the deliveries of `event` to `targets` in the caller's transaction and admits them into
 * their subscriptions' windows (server/domain/delivery/dispatch.ts); what does not fit waits in the table.
 * Idempotent: `(event_id, subscription_id)` is unique, so a re-run after a crash creates nothing twice.
 */
export async function createDeliveries(ctx: Ctx, tx: Tx, event: FanOutEvent, targets: Target[]): Promise<number> {
  return createDeliveriesFor(ctx, tx, [{ event, targets }]);
}

/** `createDeliveries` for several events at once: one insert, one admission, one flag. */
export async function createDeliveriesFor(ctx: Ctx, tx: Tx, items: Array<{ event: FanOutEvent; targets: Target[] }>): Promise<number> {
  const now = ctx.now();
  const rows = items.flatMap(({ event, targets }) =>
    targets.map((s) => ({
      id: newId('delivery', now.getTime()),
      eventId: event.id,
      subscriptionId: s.id,
      customerId: s.customerId,
      eventType: event.type,
      status: initialStatus(s.active),
      route: s.pattern === null ? ('test' as const) : s.active ? ('matched' as const) : ('held' as const),
      matchedPattern: s.pattern,
      nextAttemptAt: now,
      cycleStartedAt: now,
      createdAt: now,
    })),
  );
  if (rows.length === 0) return 0;
  const inserted = await tx
    .insert(deliveries)
    .values(rows)
    .onConflictDoNothing({ target: [deliveries.eventId, deliveries.subscriptionId] })
    .returning({ id: deliveries.id, subscriptionId: deliveries.subscriptionId, status: deliveries.status });
  const waiting = inserted.filter((d) => d.status === 'pending');
  const touched = [...new Set(waiting.map((d) => d.subscriptionId))];
  const parents = tracingOn() ? new Map(items.flatMap(({ event }) => (event.trace ? [[event.id, event.trace] as const] : []))) : undefined;
  const admitted = await admit(ctx, tx, { subscriptionIds: touched, fast: true, ...(parents && { parents }) });
  if (admitted.length < waiting.length) await flagBacklog(tx, touched);
  return inserted.length;
}

/**
 * Fans an event out to every matching subscription, reading subscriptions in pages of 1,000 and
 * writing deliveries and jobs in batches (a 10,000-subscriber broadcast is ten pages, not 10,000
 * queries). Then marks the event fanned out with its delivery count.
 */
export async function fanOutEvent(ctx: Ctx, tx: Tx, event: FanOutEvent): Promise<{ deliveries: number; filteredOut: number }> {
  let after = '';
  const filteredOut: FilteredOut[] = [];
  const body = event.body === undefined ? () => undefined : lazyBody(event.body);
  for (;;) {
    const page = await matchingPage(tx, event.customerId, event.type, body, after, PAGE, event.createdAt);
    await createDeliveries(ctx, tx, event, page.matching);
    filteredOut.push(...page.filteredOut.slice(0, FILTER_TRACE_LIMIT - filteredOut.length));
    if (!page.more || !page.last) break;
    after = page.last;
  }
  const perCustomer = await tx
    .select({ customerId: deliveries.customerId, n: sql<number>`count(*)::int` })
    .from(deliveries)
    .where(eq(deliveries.eventId, event.id))
    .groupBy(deliveries.customerId);
  const total = perCustomer.reduce((t, c) => t + c.n, 0);
  // A broadcast counts as one published event for each customer it reached (a customer's own event
  // was counted when it was accepted).
  if (!event.customerId)
    await countUsage(
      tx,
      perCustomer.map((c) => ({ customerId: c.customerId, day: dayOf(event.createdAt ?? ctx.now()), events: 1 })),
    );
  await tx
    .update(events)
    .set({ fannedOutAt: ctx.now(), deliveryCount: total, ...(filteredOut.length && { filteredOut }) })
    .where(eq(events.id, event.id));
  return { deliveries: total, filteredOut: filteredOut.length };
}

/** The `fanout` job: runs the fan-out of a broadcast (or very wide) event in its own transaction. */
export async function runFanOutJob(ctx: Ctx, eventId: string): Promise<void> {
  let span: ReturnType<typeof startFanoutSpan>;
  let result: { deliveries: number; filteredOut: number } | undefined;
  try {
    await ctx.db.transaction(async (tx) => {
      const [event] = await tx
        .select({
          id: events.id,
          customerId: events.customerId,
          type: events.type,
          createdAt: events.createdAt,
          body: events.body,
          traceParent: events.traceParent,
        })
        .from(events)
        .where(and(eq(events.id, eventId), isNull(events.fannedOutAt)))
        .for('update');
      if (!event) return; // already fanned out, or purged
      // Another process published it: the fan-out joins the event's trace through its stored traceparent.
      span = startFanoutSpan(contextFrom(event.traceParent), eventId, false);
      const { traceParent: _stored, ...fields } = event;
      result = await fanOutEvent(ctx, tx, { ...fields, ...(span && { trace: contextOf(span) }) });
      ctx.log.debug({ eventId, customerId: event.customerId, deliveries: result.deliveries }, 'event fanned out');
    });
  } catch (err) {
    endFanoutSpan(span, result?.deliveries ?? 0, result?.filteredOut ?? 0, err);
    throw err;
  }
  endFanoutSpan(span, result?.deliveries ?? 0, result?.filteredOut ?? 0);
}
