import { broadcasts, events } from '../../../drizzle/schema';
import { metrics } from '../../metrics';
import type { Tx } from '../../db/client';
import { enqueueMany } from '../../queue/boss';
import type { Ctx } from '../context';
import { DomainError } from '../errors';
import { countUsage, dayOf } from '../audit/usage-counting';
import { dailyQuotaReached, eventsRoomToday, storedBytesQuotaReached, storedBytesRoom } from '../tenants/limits';
import { retentionDaysOf, retentionUntilOf } from '../retention-period';
import { traceparentOf } from '../../tracing-context';
import { answerRepeats, claimKeys } from './idempotency';
import { fanOutInline, filterDecisions, inlineRoutings } from './inline-fanout';
import type { Prepared, PublishResult } from './prepare-event';

/**
 * Accepts prepared events in the caller's transaction, set-based whatever their number: one
 * customers read, one subscriptions read, one event insert, one delivery insert and admission,
 * one job insert. Per event: an unknown customer is a 404; a used idempotency key returns the first
 * event (same type and data) or is a 409 (a different event); otherwise the event is accepted and
 * fanned out, inline for a customer with few subscriptions (inline-fanout.ts), else by a `fanout`
 * job (always for a broadcast).
 *
 * Single, group-committed and batch publishes all go through here: one set of rules.
 */
export async function acceptEvents(
  ctx: Ctx,
  tx: Tx,
  prepared: Prepared[],
): Promise<Array<PublishResult | DomainError>> {
  const customerIds = [...new Set(prepared.map((p) => p.customerId).filter((c): c is string => c !== null))];
  // Each customer's own retention (null: the platform default) dates its events' retention_until.
  const retention = await retentionDaysOf(tx, customerIds);
  const known = new Set(retention.keys());
  const retentionFrom = (ctx: Ctx, now: Date, customerId: string | null) =>
    retentionUntilOf(ctx, now, customerId ? retention.get(customerId) : null);
  const results = new Map<string, PublishResult | DomainError>();
  const ok: Prepared[] = [];
  // A customer's daily event quota and stored-bytes quota (limits.ts): the events past either are
  // refused, the others go on.
  const room = await eventsRoomToday(ctx, tx, [...known], ctx.now());
  const bytesRoom = await storedBytesRoom(ctx, tx, [...known], ctx.now());
  for (const p of prepared) {
    if (p.customerId && !known.has(p.customerId))
      results.set(p.id, new DomainError('not_found', 'customer not found', { field: 'customerId' }));
    else if (p.customerId && room && !(room.get(p.customerId)! > 0)) results.set(p.id, dailyQuotaReached(ctx, p.now));
    else if (p.customerId && bytesRoom && p.size > bytesRoom.get(p.customerId)!)
      results.set(p.id, storedBytesQuotaReached(ctx, p.size, bytesRoom.get(p.customerId)!));
    else {
      if (p.customerId && room) room.set(p.customerId, room.get(p.customerId)! - 1);
      if (p.customerId && bytesRoom) bytesRoom.set(p.customerId, bytesRoom.get(p.customerId)! - p.size);
      ok.push(p);
    }
  }
  const inline = await inlineRoutings(tx, customerIds, ok);
  const scoped = ok.filter((p) => p.customerId);
  const broadcast = ok.filter((p) => !p.customerId);
  const common = (p: Prepared) => ({
    id: p.id,
    type: p.input.type,
    channels: p.input.channels ?? [],
    tags: p.input.tags ?? [],
    orderingKey: p.input.orderingKey ?? null,
    body: p.body,
    idempotencyKey: p.input.idempotencyKey ?? null,
    createdAt: p.now,
    retentionUntil: retentionFrom(ctx, p.now, p.customerId),
    ...(p.span && { traceParent: traceparentOf(p.span) ?? null }),
  });
  const claimed = await claimKeys(
    tx,
    scoped
      .filter((p) => p.input.idempotencyKey)
      .map((p) => ({
        customerId: p.customerId!,
        key: p.input.idempotencyKey!,
        eventId: p.id,
        retentionUntil: retentionFrom(ctx, p.now, p.customerId),
      })),
  );
  const toInsert = scoped.filter((p) => !p.input.idempotencyKey || claimed.has(p.id));
  const inserted = [
    ...(toInsert.length
      ? await tx
          .insert(events)
          .values(
            toInsert.map((p) => {
              const routing = inline.get(p.id);
              return {
                ...common(p),
                customerId: p.customerId!,
                ...(routing && {
                  fannedOutAt: p.now,
                  deliveryCount: routing.targets.length,
                  ...filterDecisions(routing.filteredOut),
                }),
              };
            }),
          )
          .onConflictDoNothing()
          .returning({ id: events.id })
      : []),
    // A broadcast is stored once; its fan-out job copies it to each customer it reaches.
    ...(broadcast.length
      ? await tx.insert(broadcasts).values(broadcast.map(common)).onConflictDoNothing().returning({ id: broadcasts.id })
      : []),
  ];
  const fresh = new Set(inserted.map((e) => e.id));
  const mine = ok.filter((p) => fresh.has(p.id));
  await fanOutInline(
    ctx,
    tx,
    mine.filter((p) => inline.get(p.id)),
    inline,
  );
  await enqueueMany(
    ctx.boss,
    'fanout',
    mine
      .filter((p) => !inline.get(p.id))
      .map((p) => ({ data: { eventId: p.id, ...(p.customerId && { customerId: p.customerId }) } })),
    tx,
  );
  await countUsage(
    tx,
    mine
      .filter((p) => p.customerId)
      .map((p) => ({ customerId: p.customerId!, day: dayOf(p.now), events: 1, published: p.size })),
  );
  for (const p of mine) {
    const routing = inline.get(p.id);
    results.set(p.id, { id: p.id, deliveries: routing ? routing.targets.length : null, duplicate: false });
  }
  // Not inserted: the idempotency key was used (by an earlier request, or earlier in this batch).
  const repeated = ok.filter((p) => !fresh.has(p.id));
  if (repeated.length) for (const [id, r] of await answerRepeats(tx, repeated)) results.set(id, r);
  return prepared.map((p) => results.get(p.id)!);
}

export function countAccepted(prepared: Prepared[], results: Array<PublishResult | DomainError>): void {
  // Counted once committed: the publish rate is the rate of durable events.
  results.forEach((r, i) => {
    if (r instanceof DomainError) return;
    if (r.duplicate) metrics.eventsDuplicate.inc();
    else metrics.eventsAccepted.inc({ scope: prepared[i]!.customerId ? 'customer' : 'broadcast' });
  });
}
