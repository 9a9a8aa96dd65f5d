import { inArray } from 'drizzle-orm';
import { subscriptions } from '../../../drizzle/schema';
import type { Tx } from '../../db/client';
import type { Ctx } from '../context';
import { contextOf } from '../../tracing-context';
import { endFanoutSpan, startFanoutSpan } from '../../tracing-spans';
import { tracingOn } from '../../tracing';
import { createDeliveriesFor } from './create-deliveries';
import type { Prepared } from './prepare-event';
import { candidateColumns, FILTER_TRACE_LIMIT, lazyBody, targetsOf, type Routing } from './targeting';

/** Above this many matching subscriptions a customer event is fanned out by a job, not inline. */
const INLINE_FANOUT_LIMIT = 200;

/**
 * The fan-out decision of each accepted event: its routing when it is fanned out inline (a customer
 * event whose customer has fewer than INLINE_FANOUT_LIMIT subscriptions), null when a `fanout` job
 * does it (a broadcast, or a customer with more). One read of the customers' subscriptions.
 */
export async function inlineRoutings(
  tx: Tx,
  customerIds: string[],
  accepted: Prepared[],
): Promise<Map<string, Routing | null>> {
  const subs = customerIds.length
    ? await tx.select(candidateColumns).from(subscriptions).where(inArray(subscriptions.customerId, customerIds))
    : [];
  const byCustomer = new Map<string, typeof subs>();
  for (const s of subs) byCustomer.set(s.customerId, [...(byCustomer.get(s.customerId) ?? []), s]);
  const inlineOf = (p: Prepared): Routing | null => {
    if (!p.customerId) return null;
    const all = byCustomer.get(p.customerId) ?? [];
    return all.length >= INLINE_FANOUT_LIMIT
      ? null
      : targetsOf(all, p.input.type, lazyBody(p.body), p.input.channels ?? []);
  };
  return new Map(accepted.map((p) => [p.id, inlineOf(p)]));
}

/** The filter decisions an event row keeps for its routing trace (none: the column stays null). */
export function filterDecisions(filteredOut: Routing['filteredOut']) {
  return filteredOut.length > 0 ? { filteredOut: filteredOut.slice(0, FILTER_TRACE_LIMIT) } : {};
}

/**
 * Creates the deliveries of the events fanned out inline, in the caller's transaction. Tracing: each
 * inline fan-out is a span under its publish, and the parent of its admissions.
 */
export async function fanOutInline(
  ctx: Ctx,
  tx: Tx,
  inlineFanouts: Prepared[],
  inline: Map<string, Routing | null>,
): Promise<void> {
  const fanoutSpans = tracingOn()
    ? new Map(inlineFanouts.map((p) => [p.id, p.span && startFanoutSpan(contextOf(p.span), p.id, true)]))
    : null;
  try {
    await createDeliveriesFor(
      ctx,
      tx,
      inlineFanouts.map((p) => {
        const span = fanoutSpans?.get(p.id);
        return {
          event: {
            id: p.id,
            customerId: p.customerId,
            type: p.input.type,
            orderingKey: p.input.orderingKey ?? null,
            ...(span && { trace: contextOf(span) }),
          },
          targets: inline.get(p.id)!.targets,
        };
      }),
    );
  } catch (err) {
    for (const span of fanoutSpans?.values() ?? []) endFanoutSpan(span, 0, 0, err);
    throw err;
  }
  for (const p of inlineFanouts) {
    const routing = inline.get(p.id)!;
    endFanoutSpan(fanoutSpans?.get(p.id), routing.targets.length, routing.filteredOut.length);
  }
}
