import { and, eq, isNull } from 'drizzle-orm';
import { broadcasts, events } from '../../../drizzle/schema';
import type { Queryable } from '../../db/client';
import { rawClient } from '../../db/client';
import { enqueue } from '../../queue/boss';
import { recordAudit } from '../audit/log';
import type { Ctx, Scope } from '../context';
import { notFound } from '../errors';
import { assertWritable, scopeFilter } from '../scope';
import { endUnsent, EXPUNGED_REASON } from '../delivery/state';

/**
 * Expunge: an event's payload goes for good, its history stays. What goes: the event's `body` (its
 * `data`, and so the request body every attempt sent), the routing trace's failed conditions (they
 * quote values of `data`), and every attempt's request headers (the signature is over the body) and
 * response headers and body. What stays: ids, type, times, statuses, response codes, latencies,
 * error classes, so the delivery history still reads right. `expunged_at` says when.
 *
 * An expunged event is never sent again: its pending and held deliveries end dead with the reason
 * "payload expunged" (an empty body must not be signed and sent), a replay is refused with a 409
 * naming that reason, a bulk replay passes it over, and a `deliver` job that finds it (a delivery
 * created or retried after the expunge) ends the delivery the same way without sending.
 *
 * Nothing else stores the payload: jobs carry ids only, trace spans carry ids and outcomes, and
 * operational notices carry ids, URLs and "HTTP 500"-style errors. Rows are overwritten in place, so
 * until autovacuum reclaims the old row versions the bytes remain in the table files (not visible to
 * any query): docs/operations.md.
 */

/**
 * An attempt already on the wire when an expunge commits is recorded after it, with its response:
 * a second pass over the same events follows this long after (the longest attempt timeout is 60 s).
 */
const RESCRUB_AFTER_SECONDS = 90;

/**
 * Expunges the payloads of these events of one customer, in the caller's transaction: one statement
 * per table (an event not fanned out yet is marked so: its fan-out job then creates nothing), on the customer's rows only (its shard on Citus). Idempotent: an event expunged before
 * keeps its first `expunged_at`. Returns the deliveries it ended and whether any had an attempt in
 * flight (then a second pass is due: RESCRUB_AFTER_SECONDS).
 */
export async function scrubEvents(
  ctx: Ctx,
  q: Queryable,
  customerId: string,
  eventIds: string[],
  at: Date = ctx.now(),
): Promise<{ ended: number; inFlight: boolean }> {
  if (eventIds.length === 0) return { ended: 0, inFlight: false };
  const raw = rawClient(q);
  const now = at.toISOString();
  await raw`
    update events set body = '', expunged_at = coalesce(expunged_at, ${now}::timestamptz),
      fanned_out_at = coalesce(fanned_out_at, ${now}::timestamptz),
      filtered_out = case when filtered_out is null then null
        else (select jsonb_agg(f || jsonb_build_object('failed', ${EXPUNGED_REASON}::text)) from jsonb_array_elements(filtered_out) f) end
    where customer_id = ${customerId} and id = any(${eventIds}::text[])`;
  // Locked first, to know which had a job (an attempt may be on the wire for those).
  const open = await raw<{ id: string; queued: boolean }[]>`
    select id, queued_at is not null as queued from deliveries
    where customer_id = ${customerId} and event_id = any(${eventIds}::text[]) and status in ('pending', 'held')
    for update`;
  await endUnsent(
    q,
    customerId,
    open.map((d) => d.id),
    EXPUNGED_REASON,
    at,
  );
  await raw`
    update attempts set request_headers = '{}'::jsonb, request_body = null, response_headers = null, response_body = null
    where customer_id = ${customerId}
      and delivery_id in (select id from deliveries where customer_id = ${customerId} and event_id = any(${eventIds}::text[]))
      and (request_headers <> '{}'::jsonb or request_body is not null or response_headers is not null or response_body is not null)`;
  return { ended: open.length, inFlight: open.some((d) => d.queued) };
}

/** The result of `DELETE /events/{id}/payload`. */
export type ExpungedEvent = { id: string; expungedAt: string; deliveriesEnded: number };

/**
 * `DELETE /events/{id}/payload`: a customer's key expunges its own event (another customer's is a
 * 404); a platform key expunges it for whichever customer holds it, and a broadcast's for every
 * customer with the broadcast itself. Expunging again changes nothing and answers the same (with the
 * first `expungedAt`). Recorded in the audit log once per customer's copy.
 */
export async function expungeEvent(ctx: Ctx, scope: Scope, eventId: string): Promise<ExpungedEvent> {
  assertWritable(scope);
  const copies = await ctx.db
    .select({ customerId: events.customerId, expungedAt: events.expungedAt, broadcast: events.broadcast })
    .from(events)
    .where(and(eq(events.id, eventId), scopeFilter(scope, events.customerId)));
  const [broadcast] =
    scope.kind === 'platform'
      ? await ctx.db
          .select({ id: broadcasts.id, expungedAt: broadcasts.expungedAt })
          .from(broadcasts)
          .where(eq(broadcasts.id, eventId))
      : [];
  if (copies.length === 0 && !broadcast) throw notFound('event');
  const now = ctx.now();
  let ended = 0;
  let rescrub: string[] = [];
  await ctx.db.transaction(async (tx) => {
    for (const copy of copies) {
      if (copy.expungedAt) continue;
      const r = await scrubEvents(ctx, tx, copy.customerId, [eventId], now);
      ended += r.ended;
      if (r.inFlight) rescrub = [...rescrub, copy.customerId];
      await recordAudit(ctx, tx, scope, {
        customerId: copy.customerId,
        action: 'event.payload_expunged',
        target: { kind: 'event', id: eventId },
        after: { deliveriesEnded: r.ended, ...(copy.broadcast && { broadcast: true }) },
      });
    }
    if (broadcast && !broadcast.expungedAt) {
      // The broadcast's own copy: a fan-out not run yet then finds nothing to send.
      await tx
        .update(broadcasts)
        .set({ body: '', expungedAt: now, filteredOut: null, fannedOutAt: now })
        .where(and(eq(broadcasts.id, eventId), isNull(broadcasts.expungedAt)));
      if (copies.length === 0)
        await recordAudit(ctx, tx, scope, {
          customerId: null,
          action: 'event.payload_expunged',
          target: { kind: 'broadcast', id: eventId },
          after: {},
        });
    }
    for (const customerId of rescrub) await enqueueRescrub(ctx, tx, customerId, [eventId]);
  });
  // The first expunge's time (scrubEvents keeps it), or this one's.
  const earlier = [...copies.map((c) => c.expungedAt), broadcast?.expungedAt]
    .filter((t): t is Date => t instanceof Date)
    .sort((x, y) => x.getTime() - y.getTime());
  const at = earlier[0] ?? now;
  return { id: eventId, expungedAt: at.toISOString(), deliveriesEnded: ended };
}

export async function enqueueRescrub(ctx: Ctx, q: Queryable, customerId: string, eventIds: string[]): Promise<void> {
  await enqueue(ctx.boss, 'expungeRescrub', { customerId, eventIds }, { startAfter: RESCRUB_AFTER_SECONDS }, q);
}

/** The `expungeRescrub` job: the second pass over events expunged while an attempt was in flight. */
export async function runRescrub(ctx: Ctx, job: { customerId: string; eventIds: string[] }): Promise<void> {
  await ctx.db.transaction((tx) => scrubEvents(ctx, tx, job.customerId, job.eventIds));
}
