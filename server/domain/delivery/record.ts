import { and, eq, inArray } from 'drizzle-orm';
import { subscriptions } from '../../../drizzle/schema';
import type { BreakerState } from '../../../drizzle/schema';
import type { Tx } from '../../db/client';
import { rawClient } from '../../db/client';
import { metrics } from '../../metrics';
import { completeJobs } from '../../queue/boss';
import type { Ctx } from '../context';
import { perCustomer } from '../shards';
import { attemptLog } from './attempt';
import { deliveryErrorOf, insertAttempts } from './attempt-rows';
import type { Outcome } from './outcome';
import { auditDisabled, trackFailures } from './auto-disable';
import { breakerSignal, updateBreaker } from './breaker';
import { admit } from './admission';
import { flagBacklog } from './backlog';
import { afterAttempts } from './state';
import { disableSubscription } from './holds';
import { countUsage, dayOf } from '../audit/usage-counting';
import { emitOperational } from '../notices/emit';
import { outcomeNotices, type BreakerChange, type Disabling } from './notices';

/** Counts and logs recorded outcomes (after their transaction committed). */
function reportOutcomes(
  ctx: Ctx,
  outcomes: Outcome[],
  recorded: Outcome[],
  breakers: Map<string, { from: BreakerState; to: BreakerState }>,
): void {
  const fresh = new Set(recorded);
  const debug = ctx.log.isLevelEnabled('debug');
  for (const o of outcomes) {
    if (fresh.has(o) && o.decision.action === 'succeeded' && !debug) {
      metrics.deliveryAttempts.inc({ outcome: 'succeeded' });
      continue; // the hot path: counted, and logged only at debug
    }
    const log = attemptLog(ctx, o.job, o.row);
    if (!fresh.has(o)) {
      metrics.deliveryJobsSkipped.inc({ reason: 'stale' });
      log.info('attempt sent but already recorded by another worker (its lease had expired); not recorded twice');
      continue;
    }
    metrics.deliveryAttempts.inc({ outcome: o.decision.action });
    const r = o.result.outcome;
    const fields = {
      latencyMs: o.result.latencyMs,
      ...(r.kind === 'response' ? { status: r.status } : { errorClass: r.errorClass, error: r.message }),
    };
    switch (o.decision.action) {
      case 'succeeded':
        log.debug({ ...fields, outcome: 'succeeded' }, 'delivered');
        break;
      case 'retry':
        log.info(
          { ...fields, outcome: 'retry', nextAttemptAt: o.decision.at.toISOString() },
          'attempt failed; retry scheduled',
        );
        break;
      case 'dead':
        log.warn({ ...fields, outcome: 'dead', reason: o.decision.reason }, 'delivery dead-lettered');
        break;
      case 'gone':
        log.warn(
          { ...fields, outcome: 'gone' },
          'endpoint answered 410 Gone: subscription disabled, its pending deliveries held',
        );
        break;
    }
  }
  for (const [subscriptionId, { from, to }] of breakers) {
    const o = recorded.find((x) => x.row.sub.id === subscriptionId)!;
    const log = ctx.log.child({
      subscriptionId,
      customerId: o.row.delivery.customerId,
      deliveryId: o.row.delivery.id,
      eventId: o.row.event.id,
    });
    metrics.breakerTransitions.inc({ to });
    if (to === 'open')
      log.warn(
        { breakerFrom: from, breakerTo: to },
        'circuit breaker opened: deliveries wait in the table until the probe',
      );
    else log.info({ breakerFrom: from, breakerTo: to }, 'circuit breaker closed');
  }
}

/**
 * Records finished attempts in one transaction, set-based (one statement per kind of write, not
 * per attempt): attempt rows, delivery status, breakers, backlog flags, refills of the freed slots,
 * the operational events they stand for (operational/notices.ts), and the completion of `jobIds`
 * (jobs whose attempts are all recorded). Attempts already recorded (a re-run after a lease
 * expired) are skipped. Returns the customers whose slots the batch freed: the caller refills them
 * (`refill`), in a transaction of its own, so that recording never waits for admission.
 *
 * `synchronous_commit = off` here only: if PostgreSQL itself crashes within its WAL writer delay,
 * the last outcomes may be lost with their jobs' completion, and those attempts are simply made
 * again (same webhook-id), which at-least-once allows. Accepting events stays fully durable.
 */
export async function recordOutcomes(
  ctx: Ctx,
  outcomes: Outcome[],
  jobIds: string[] = [],
): Promise<{ freed: string[] }> {
  const breakers = new Map<string, { from: BreakerState; to: BreakerState }>();
  const recordedOutcomes = await ctx.db.transaction(async (tx) => {
    const raw = rawClient(tx);
    await raw`set local synchronous_commit = off`;
    const recorded = outcomes.length ? await insertAttempts(tx, outcomes) : [];
    if (recorded.length) {
      await lockWrittenSubscriptions(ctx, tx, recorded);
      await afterAttempts(
        ctx,
        tx,
        recorded.map((o) => ({
          id: o.row.delivery.id,
          customerId: o.row.delivery.customerId,
          attempt: o.job.data.attempt,
          startedAt: o.startedAt,
          responseStatus: o.result.outcome.kind === 'response' ? o.result.outcome.status : null,
          error: deliveryErrorOf(o.result, o.decision),
          decision: o.decision,
          orderingKey: o.row.delivery.orderingKey,
          ordering: o.row.sub.ordering,
        })),
      );
      // Usage, per customer and day: attempts, their outcome, the bytes sent.
      await countUsage(
        tx,
        recorded.map((o) => ({
          customerId: o.row.delivery.customerId,
          day: dayOf(o.startedAt),
          attempted: 1,
          ...(o.decision.action === 'succeeded' ? { succeeded: 1 } : { failed: 1 }),
          bytes: Buffer.byteLength(o.row.event.body),
        })),
      );
      const bySub = new Map<string, Outcome[]>();
      for (const o of recorded) bySub.set(o.row.sub.id, [...(bySub.get(o.row.sub.id) ?? []), o]);
      const changes: BreakerChange[] = [];
      const disabled: Disabling[] = [];
      // Sorted so that concurrent batches lock subscriptions in the same order (no deadlocks).
      for (const subId of [...bySub.keys()].sort()) {
        const list = bySub.get(subId)!;
        const gone = list.find((o) => o.decision.action === 'gone');
        const goneReason = gone ? await disableGone(ctx, tx, gone) : null;
        if (gone && goneReason) disabled.push({ outcome: gone, reason: 'gone', message: goneReason });
        const autoReason = gone ? null : await trackFailures(ctx, tx, list);
        if (autoReason) disabled.push({ outcome: list.at(-1)!, reason: 'auto_disabled', message: autoReason });
        const sub = list[0]!.row.sub;
        // Healthy outcomes on a healthy breaker change nothing: no write on the hot path.
        if (
          list.some((o) => breakerSignal(o.result.outcome) === 'unhealthy') ||
          sub.breakerState !== 'closed' ||
          sub.breakerFailures > 0
        ) {
          for (const o of list) {
            const t = await updateBreaker(ctx, tx, sub, breakerSignal(o.result.outcome));
            if (t && t.from !== t.to) changes.push({ ...t, outcome: o });
          }
          const last = changes.filter((c) => c.outcome.row.sub.id === subId).at(-1);
          if (last && (last.to === 'open' || last.to === 'closed'))
            breakers.set(subId, { from: last.from, to: last.to });
        }
      }
      await emitOperational(ctx, tx, outcomeNotices(recorded, changes, disabled));
      for (const d of disabled) await auditDisabled(ctx, tx, d.outcome.row.sub, d.reason, d.message);
      const retrying = [
        ...new Map(
          recorded.filter((o) => o.decision.action === 'retry').map((o) => [o.row.sub.id, o.row.sub]),
        ).values(),
      ];
      await flagBacklog(tx, retrying);
    }
    await completeJobs(ctx.boss, 'deliver', jobIds, tx);
    return recorded;
  });
  reportOutcomes(ctx, outcomes, recordedOutcomes, breakers);
  return { freed: [...new Set(recordedOutcomes.map((o) => o.row.delivery.customerId))] };
}

/**
 * Completes `deliver` jobs none of whose attempts is left to record (each was recorded already, or
 * ended without a record: stale, held, deferred), in a transaction of their own, as `recordOutcomes`
 * completes them with its attempts.
 */
export async function completeSettledJobs(ctx: Ctx, jobIds: string[]): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await rawClient(tx)`set local synchronous_commit = off`;
    await completeJobs(ctx.boss, 'deliver', jobIds, tx);
  });
}

/**
 * Slots of windows and of customers' caps are free again: pulls waiting deliveries in, from any
 * backlogged subscription of those customers (the cap is the customer's), and queues their jobs.
 * A customer with no subscription flagged has nothing waiting; what this misses (a crash between
 * the record and here) the dispatcher admits at its next tick. Returns how many it admitted.
 */
export async function refill(ctx: Ctx, customers: string[]): Promise<number> {
  if (customers.length === 0) return 0;
  return ctx.db.transaction(async (tx) => (await admit(ctx, tx, { customers, fast: true, waitForLocks: true })).length);
}

/**
 * Locks, in id order, the subscriptions this batch may write (breaker, failing-since, disabling),
 * before any of their deliveries: a pause or resume takes the subscription first and then its
 * deliveries, so taking them the other way round here could deadlock with it. A batch of successes
 * on healthy subscriptions writes none and locks none.
 */
async function lockWrittenSubscriptions(ctx: Ctx, tx: Tx, recorded: Outcome[]): Promise<void> {
  const subs = [
    ...new Map(
      recorded
        .filter(
          (o) =>
            o.decision.action !== 'succeeded' ||
            o.row.sub.breakerState !== 'closed' ||
            o.row.sub.breakerFailures > 0 ||
            o.row.sub.failingSince !== null,
        )
        .map((o) => [o.row.sub.id, { id: o.row.sub.id, customerId: o.row.delivery.customerId }]),
    ).values(),
  ];
  // In (customer, id) order on Citus, where each customer's are locked on its shard; in id order otherwise.
  await perCustomer(
    ctx,
    subs,
    (s) => s.customerId,
    async (group, customerId) => {
      await tx
        .select({ id: subscriptions.id })
        .from(subscriptions)
        .where(
          and(
            inArray(
              subscriptions.id,
              group.map((s) => s.id),
            ),
            customerId ? eq(subscriptions.customerId, customerId) : undefined,
          ),
        )
        .orderBy(subscriptions.id)
        .for('update');
    },
  );
}

/**
 * 410 Gone: the receiver asks us to stop. Disable the subscription and hold everything pending for
 * it (nothing is dropped: re-enabling releases the held deliveries). Returns the reason when this
 * disabled it (null when it was already off).
 */
async function disableGone(ctx: Ctx, tx: Tx, o: Outcome): Promise<string | null> {
  const reason = `endpoint answered 410 Gone at ${ctx.now().toISOString()}`;
  // Once: a second 410 (an attempt that was already in flight) finds it off and keeps the first reason.
  return (await disableSubscription(ctx, tx, o.row.sub, reason)) ? reason : null;
}
