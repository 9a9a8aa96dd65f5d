import { and, eq, gt } from 'drizzle-orm';
import { bulkReplayItems, bulkReplays, deliveries } from '../../../drizzle/schema';
import { rawClient } from '../../db/client';
import type { Ctx } from '../context';
import { restartCycle } from '../delivery/state';
import { eventTraceParents } from '../delivery/admission-spans';
import { endSpan, startReplaySpan } from '../../tracing-spans';
import { tracingOn } from '../../tracing';
import { type TraceSpan } from '../../tracing-spans';
import { backfillBatch } from './backfill-batch';
import { matching, REPLAY_BATCH } from './bulk';

/** One replay span per delivery of a bulk-replay batch, each under its event's publish. */
async function bulkReplaySpans(
  tx: Parameters<typeof eventTraceParents>[0],
  replayId: string,
  customerId: string,
  picked: Array<{ id: string; subscriptionId: string; eventId: string }>,
): Promise<Array<TraceSpan | undefined>> {
  const stored = await eventTraceParents(
    tx,
    picked.map((p) => p.eventId),
  );
  return picked.map((p) =>
    startReplaySpan(stored.get(p.eventId) ?? null, {
      deliveryId: p.id,
      eventId: p.eventId,
      subscriptionId: p.subscriptionId,
      customerId,
      kind: 'bulk',
      bulkReplayId: replayId,
    }),
  );
}

/**
 * The bulk-replay job: batches of REPLAY_BATCH, each in one transaction (items recorded, deliveries
 * reset to pending with a fresh retry cycle, cursor advanced), paced to the customer's replay rate.
 * Resumable: after a crash the job re-runs from the stored cursor. Stops when cancelled.
 */
export async function runBulkReplay(
  ctx: Ctx,
  job: { replayId: string; customerId: string },
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  const { replayId, customerId } = job;
  const log = ctx.log.child({ replayId });
  log.info('bulk replay running');
  for (;;) {
    const started = Date.now();
    let replaySpans: Array<TraceSpan | undefined> = [];
    const batch = await ctx.db.transaction(async (tx) => {
      const [r] = await tx
        .select()
        .from(bulkReplays)
        .where(and(eq(bulkReplays.id, replayId), eq(bulkReplays.customerId, customerId)))
        .for('update');
      if (!r || r.status !== 'running') return null;
      // A backfill's batch is its own (./backfill.ts); the loop, its pacing and cancel are shared.
      if (r.kind === 'backfill') return backfillBatch(ctx, tx, r);
      const picked = await tx
        .select({ id: deliveries.id, subscriptionId: deliveries.subscriptionId, eventId: deliveries.eventId })
        .from(deliveries)
        .where(and(matching(ctx, r.customerId, r.filter), r.cursor ? gt(deliveries.id, r.cursor) : undefined))
        .orderBy(deliveries.id)
        .limit(REPLAY_BATCH);
      const now = ctx.now();
      if (picked.length > 0) {
        const ids = picked.map((p) => p.id);
        await tx
          .insert(bulkReplayItems)
          .values(ids.map((deliveryId) => ({ replayId, customerId: r.customerId, deliveryId })))
          .onConflictDoNothing();
        await restartCycle(ctx, tx, r.customerId, ids, { priority: 0, from: ['dead'] });
        // Tracing on: each replayed delivery shows in its event's trace (ended once the batch commits).
        if (tracingOn()) replaySpans = await bulkReplaySpans(tx, replayId, r.customerId, picked);
        // Flag the backlogs for the dispatcher; an open breaker sends its probe now (a replay means
        // the customer believes the endpoint is fixed: do not wait for the cool-down).
        await rawClient(tx)`
          update subscriptions set backlog = true,
                 breaker_probe_at = case when breaker_state = 'open' then ${now.toISOString()}::timestamptz else breaker_probe_at end
          where customer_id = ${r.customerId} and id = any(${[...new Set(picked.map((p) => p.subscriptionId))]}::text[])`;
      }
      const done = picked.length < REPLAY_BATCH;
      await tx
        .update(bulkReplays)
        .set({
          enqueued: r.enqueued + picked.length,
          cursor: picked.at(-1)?.id ?? r.cursor,
          updatedAt: now,
          ...(done && { status: 'completed' as const, finishedAt: now }),
        })
        .where(and(eq(bulkReplays.id, replayId), eq(bulkReplays.customerId, customerId)));
      return { count: picked.length, done, ratePerSecond: ctx.config.replayRatePerSecond };
    });
    for (const span of replaySpans) endSpan(span);
    if (!batch || batch.done) {
      log.info(
        { done: batch?.done ?? false },
        batch ? 'bulk replay finished: everything it matched is enqueued' : 'bulk replay stopped (cancelled or gone)',
      );
      return;
    }
    // Pace: REPLAY_BATCH deliveries per (REPLAY_BATCH / rate) seconds for this customer.
    const budgetMs = (batch.count / batch.ratePerSecond) * 1000;
    const spent = Date.now() - started;
    if (budgetMs > spent) await sleep(budgetMs - spent);
  }
}
