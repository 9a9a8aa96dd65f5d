import { and, eq } from 'drizzle-orm';
import { deliveries, events, subscriptions } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { restartCycle } from '../delivery/state';
import { admit } from '../delivery/admission';
import { admitProbe } from '../delivery/probe';
import { flagBacklog } from '../delivery/backlog';
import { DomainError, notFound } from '../errors';
import { assertWritable, ownerOf } from '../scope';
import { contextOf } from '../../tracing-context';
import { endSpan, startReplaySpan, type TraceSpan } from '../../tracing-spans';
import { tracingOn } from '../../tracing';

import { deliveryView, gateColumns, gateJoin } from '../delivery/delivery-reads';
import { deliveryEvent, deliverySubscription } from '../delivery/joins';

/**
 * Replays one delivery: a new retry cycle, attempt now, same webhook-id, fresh timestamp and
 * signature. Allowed for any delivery not already pending, while its event is within retention.
 */
export async function replayDelivery(ctx: Ctx, scope: Scope, id: string) {
  assertWritable(scope);
  // Tracing on: the replay joins its event's trace (a child of the publish), and its admission is the replay's child.
  let span: TraceSpan | undefined;
  try {
    const view = await replayIn(ctx, scope, id, (s) => (span = s));
    endSpan(span);
    return view;
  } catch (err) {
    endSpan(span, err);
    throw err;
  }
}

async function replayIn(ctx: Ctx, scope: Scope, id: string, traced: (span: TraceSpan | undefined) => void) {
  const owner = await ownerOf(ctx, scope, 'deliveries', id);
  if (!owner) throw notFound('delivery');
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        d: deliveries,
        retentionUntil: events.retentionUntil,
        expungedAt: events.expungedAt,
        traceParent: events.traceParent,
        active: subscriptions.active,
        breakerState: subscriptions.breakerState,
      })
      .from(deliveries)
      .innerJoin(events, deliveryEvent)
      .innerJoin(subscriptions, deliverySubscription)
      .where(and(eq(deliveries.id, id), eq(deliveries.customerId, owner)))
      .for('update', { of: deliveries });
    if (!row) throw notFound('delivery');
    if (row.expungedAt)
      throw new DomainError(
        'conflict',
        `payload expunged: the event's payload was expunged at ${row.expungedAt.toISOString()} and can no longer be sent`,
      );
    if (row.d.status === 'pending') throw new DomainError('conflict', 'delivery is already scheduled for an attempt');
    if (row.d.status === 'held')
      throw new DomainError('conflict', 'delivery is held: resume its subscription to send it');
    if (row.retentionUntil <= ctx.now())
      throw new DomainError('conflict', 'event is past its retention period and can no longer be replayed');
    if (!row.active) throw new DomainError('conflict', 'subscription is paused or disabled; resume it to replay');
    const span = tracingOn()
      ? startReplaySpan(row.traceParent, {
          deliveryId: id,
          eventId: row.d.eventId,
          subscriptionId: row.d.subscriptionId,
          customerId: row.d.customerId,
          kind: 'single',
        })
      : undefined;
    traced(span);
    const parent = span && contextOf(span);
    await restartCycle(ctx, tx, row.d.customerId, [id], { priority: 1, from: ['succeeded', 'dead'] });
    // A replay goes out at once: through the subscription's window when its breaker is closed, or
    // as the breaker's probe when it is open (the user says the endpoint is fixed; do not wait).
    if (row.breakerState === 'closed') {
      // Waits for the customer's admission lock (a refill or the dispatcher holds it for a moment):
      // the replay's own transaction admits it, under the replay's span.
      await admit(ctx, tx, {
        waitForLocks: true,
        subscriptions: [{ id: row.d.subscriptionId, customerId: row.d.customerId }],
        fast: true,
        ...(parent && { parents: new Map([[row.d.eventId, parent]]) }),
      });
      await flagBacklog(tx, [{ id: row.d.subscriptionId, customerId: row.d.customerId }]);
    } else if (!(await admitProbe(ctx, tx, row.d, parent))) {
      // Not its ordering lane's head yet: it waits in the table for the dispatcher, like the lane.
      await flagBacklog(tx, [{ id: row.d.subscriptionId, customerId: row.d.customerId }]);
    }
    const [updated] = await tx
      .select({ delivery: deliveries, gate: gateColumns })
      .from(deliveries)
      .innerJoin(subscriptions, gateJoin)
      .where(and(eq(deliveries.id, id), eq(deliveries.customerId, row.d.customerId)));
    return deliveryView(ctx, updated!.delivery, updated!.gate);
  });
}
