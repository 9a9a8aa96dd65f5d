import { and, eq, isNull, sql } from 'drizzle-orm';
import { broadcasts, events } from '../../../drizzle/schema';
import type { FilteredOut } from '../../../drizzle/schema';
import type { Tx } from '../../db/client';
import type { Ctx } from '../context';
import { countUsage, dayOf } from '../audit/usage-counting';
import { contextFrom, contextOf } from '../../tracing-context';
import { endFanoutSpan, startFanoutSpan } from '../../tracing-spans';
import { retentionDaysOf, retentionUntilOf } from '../retention-period';
import { createDeliveries, type FanOutEvent } from './create-deliveries';
import { FILTER_TRACE_LIMIT, lazyBody, matchingPage, type Target } from './targeting';

const PAGE = 1000;

/**
 * Fans an event out to every matching subscription, reading subscriptions in pages of 1,000 and
 * writing deliveries and jobs in batches (a 10,000-subscriber broadcast is ten pages, not 10,000
 * queries). Then marks the event fanned out with its delivery count. A broadcast (`customerId`
 * null) first gets, for each customer a page reaches, that customer's copy in `events` (same id),
 * so the customer's deliveries, reads and replays stay on the customer's own shard.
 */
async function fanOutEvent(ctx: Ctx, tx: Tx, event: FanOutEvent): Promise<{ deliveries: number; filteredOut: number }> {
  let after = '';
  const filteredOut: FilteredOut[] = [];
  const body = event.body === undefined ? () => undefined : lazyBody(event.body);
  const perCustomer = new Map<string, number>();
  for (;;) {
    const page = await matchingPage(
      tx,
      event.customerId,
      event.type,
      event.channels ?? [],
      body,
      after,
      PAGE,
      event.createdAt,
    );
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
      [...perCustomer.keys()].map((customerId) => ({
        customerId,
        day: dayOf(event.createdAt ?? ctx.now()),
        events: 1,
        published,
      })),
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
async function copyBroadcast(
  ctx: Ctx,
  tx: Tx,
  event: FanOutEvent,
  targets: Target[],
  filteredOut: FilteredOut[],
): Promise<void> {
  if (targets.length === 0 || event.body === undefined || !event.createdAt || !event.retentionUntil) return;
  const counts = new Map<string, number>();
  for (const t of targets) counts.set(t.customerId, (counts.get(t.customerId) ?? 0) + 1);
  const decisions = new Map<string, FilteredOut[]>();
  for (const f of filteredOut)
    if (counts.has(f.customerId)) decisions.set(f.customerId, [...(decisions.get(f.customerId) ?? []), f]);
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
 * subscriptions, in its own transaction. A job names its event's customer (the shard); a job without
 * one is a broadcast's.
 */
export async function runFanOutJob(ctx: Ctx, job: { eventId: string; customerId?: string }): Promise<void> {
  const { eventId, customerId } = job;
  let span: ReturnType<typeof startFanoutSpan>;
  let result: { deliveries: number; filteredOut: number } | undefined;
  try {
    await ctx.db.transaction(async (tx) => {
      const event = customerId ? await lockScoped(tx, eventId, customerId) : await lockBroadcast(tx, eventId);
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

/** A customer's event not fanned out yet, locked for its fan-out (none: done already, or purged). */
async function lockScoped(tx: Tx, eventId: string, customerId: string) {
  const [scoped] = await tx
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
    .where(and(eq(events.id, eventId), eq(events.customerId, customerId), isNull(events.fannedOutAt)))
    .for('update');
  return scoped;
}

/** A broadcast not fanned out yet, locked for its fan-out (none: done already, or purged). */
async function lockBroadcast(tx: Tx, eventId: string) {
  const [broadcast] = await tx
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
  return broadcast && !broadcast.fannedOutAt ? { ...broadcast, customerId: null } : undefined;
}
