import { and, eq, sql } from 'drizzle-orm';
import { bulkReplayItems, bulkReplays, deliveries, subscriptions } from '../../../drizzle/schema';
import type { Tx } from '../../db/client';
import type { Ctx } from '../context';
import { flagBacklog } from '../delivery/backlog';
import { initialStatus } from '../delivery/state';
import type { Candidate } from '../events/targeting';
import { deliveryIdOf } from '../ids';
import { candidates, examinePage, type Examined, type Range } from './backfill-candidates';
import { REPLAY_BATCH } from './bulk';

/** Events examined per transaction by the job (bodies read only for a payload filter, only for events not yet received). */
const BACKFILL_PAGE = 250;

type Row = typeof bulkReplays.$inferSelect;

/**
 * One batch of a backfill's job, in the job's transaction (its row locked, running): the next page
 * of events after the cursor, decided by `examinePage`; up to REPLAY_BATCH of them sent (inserted
 * pending at priority 0, recorded as the backfill's items, the subscription flagged for the
 * dispatcher); the counts and the cursor advanced. A subscription paused meanwhile gets them held,
 * as its fan-out would; one deleted meanwhile ends the backfill (cancelled). Returns how many it
 * sent, whether it is done, and its pace: the customer's running backfills share the replay rate.
 */
export async function backfillBatch(
  ctx: Ctx,
  tx: Tx,
  r: Row,
): Promise<{ count: number; done: boolean; ratePerSecond: number }> {
  const now = ctx.now();
  const customerId = r.customerId;
  const ratePerSecond = ctx.config.replayRatePerSecond / (await runningBackfills(tx, customerId));
  const thisRow = and(eq(bulkReplays.id, r.id), eq(bulkReplays.customerId, customerId));
  const [sub] = r.subscriptionId
    ? await tx
        .select({ active: subscriptions.active })
        .from(subscriptions)
        .where(and(eq(subscriptions.id, r.subscriptionId), eq(subscriptions.customerId, customerId)))
    : [];
  if (!sub || !r.match || !r.filter.from || !r.filter.to) {
    await tx.update(bulkReplays).set({ status: 'cancelled', finishedAt: now, updatedAt: now }).where(thisRow);
    ctx.log.info({ replayId: r.id, subscriptionId: r.subscriptionId }, 'backfill stopped: its subscription is gone');
    return { count: 0, done: true, ratePerSecond };
  }
  const target: Candidate = { id: r.subscriptionId!, customerId, active: sub.active, ...r.match };
  const range: Range = { from: new Date(r.filter.from), to: new Date(r.filter.to), clampedFrom: null };
  const narrow = r.filter.eventTypes;
  const { examined, full } = await examinePage(
    tx,
    target,
    narrow,
    candidates(customerId, r.match, narrow, range, now, r.cursor),
    BACKFILL_PAGE,
  );
  // Up to REPLAY_BATCH sends: the page is taken up to the event before the next send past them.
  const sends: Examined[] = [];
  let taken = 0;
  for (const e of examined) {
    if (e.verdict === 'send' && sends.length === REPLAY_BATCH) break;
    if (e.verdict === 'send') sends.push(e);
    taken++;
  }
  const upTo = examined.slice(0, taken);
  const inserted = sends.length
    ? await tx
        .insert(deliveries)
        .values(
          sends.map((e) => ({
            id: deliveryIdOf(e.id, target.id),
            eventId: e.id,
            subscriptionId: target.id,
            customerId,
            eventType: e.type,
            status: initialStatus(sub.active),
            route: sub.active ? ('matched' as const) : ('held' as const),
            matchedPattern: e.pattern,
            orderingKey: e.orderingKey,
            // Bulk priority (below live traffic); outside the window: the dispatcher admits it.
            priority: 0,
            queuedAt: null,
            nextAttemptAt: now,
            cycleStartedAt: now,
            createdAt: now,
            updatedAt: now,
          })),
        )
        .onConflictDoNothing({ target: [deliveries.id, deliveries.customerId] })
        .returning({ id: deliveries.id })
    : [];
  if (inserted.length) {
    await tx
      .insert(bulkReplayItems)
      .values(inserted.map((d) => ({ replayId: r.id, customerId, deliveryId: d.id })))
      .onConflictDoNothing();
    if (sub.active) await flagBacklog(tx, [{ id: target.id, customerId }]);
  }
  const done = taken === examined.length && !full;
  await tx
    .update(bulkReplays)
    .set({
      enqueued: r.enqueued + inserted.length,
      // A delivery made meanwhile by a fan-out (or a crashed run of this batch) is one it already had.
      skipped: r.skipped + upTo.filter((e) => e.verdict === 'received').length + (sends.length - inserted.length),
      filteredOut: r.filteredOut + upTo.filter((e) => e.verdict === 'filtered').length,
      cursor: upTo.at(-1)?.id ?? r.cursor,
      updatedAt: now,
      ...(done && { status: 'completed' as const, finishedAt: now }),
    })
    .where(thisRow);
  return { count: inserted.length, done, ratePerSecond };
}

/** How many backfills of the customer run now (at least 1: the one asking). */
async function runningBackfills(tx: Tx, customerId: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(bulkReplays)
    .where(
      and(eq(bulkReplays.customerId, customerId), eq(bulkReplays.kind, 'backfill'), eq(bulkReplays.status, 'running')),
    );
  return Math.max(1, row?.n ?? 1);
}
