import { and, eq, sql } from 'drizzle-orm';
import { customers, events } from '../../drizzle/schema';
import { enqueue } from '../queue/boss';
import type { Ctx, Scope } from './context';
import { DomainError } from './errors';
import { fanOutEvent } from './fanout';
import { newId } from './ids';
import { actingCustomer, assertWritable } from './scope';
import type { PublishEventInput } from './schemas';

export type PublishResult = { id: string; deliveries: number | null; duplicate: boolean };

/** Above this many matching subscriptions a customer event is fanned out by a job, not inline. */
const INLINE_FANOUT_LIMIT = 200;

/**
 * Accepts an event. The event row and its fan-out are made durable in one transaction: a
 * customer-scoped event gets its deliveries and their first jobs inline (one hop fewer); a broadcast,
 * or a customer with very many subscriptions, gets a `fanout` job. Either way, once this returns the
 * event cannot be lost. The body is serialised once here: those exact bytes are signed and sent.
 * Same idempotency key (per customer, or per broadcast) returns the first event; no second fan-out.
 */
export async function publishEvent(ctx: Ctx, scope: Scope, input: PublishEventInput): Promise<PublishResult> {
  assertWritable(scope);
  const customerId = scope.kind === 'customer' ? actingCustomer(scope, input.customerId) : (input.customerId ?? null);
  const now = ctx.now();
  const id = newId('event', now.getTime());
  const body = JSON.stringify({ id, type: input.type, timestamp: now.toISOString(), data: input.data });
  const size = Buffer.byteLength(body);
  if (size > ctx.config.maxPayloadBytes) {
    throw new DomainError('payload_too_large', `event is ${size} bytes, above the limit of ${ctx.config.maxPayloadBytes}`, { field: 'data' });
  }
  return ctx.db.transaction(async (tx) => {
    if (customerId) {
      const [exists] = await tx.select({ id: customers.id }).from(customers).where(eq(customers.id, customerId));
      if (!exists) throw new DomainError('not_found', 'customer not found', { field: 'customerId' });
    }
    const retentionUntil = new Date(now.getTime() + ctx.config.retentionDays * 86400_000);
    const inserted = await tx
      .insert(events)
      .values({ id, customerId, type: input.type, body, idempotencyKey: input.idempotencyKey ?? null, createdAt: now, retentionUntil })
      .onConflictDoNothing()
      .returning({ id: events.id });
    if (inserted.length === 0) {
      const [existing] = await tx
        .select({ id: events.id, deliveryCount: events.deliveryCount })
        .from(events)
        .where(and(sql`coalesce(${events.customerId}, '') = ${customerId ?? ''}`, eq(events.idempotencyKey, input.idempotencyKey ?? '')));
      if (!existing) throw new DomainError('conflict', 'event id collision; retry');
      return { id: existing.id, deliveries: existing.deliveryCount, duplicate: true };
    }
    if (customerId) {
      const count = await fanOutEvent(ctx, tx, { id, customerId, type: input.type, createdAt: now }, INLINE_FANOUT_LIMIT);
      if (count !== null) return { id, deliveries: count, duplicate: false };
    }
    await enqueue(ctx.boss, 'fanout', { eventId: id }, {}, tx);
    return { id, deliveries: null, duplicate: false };
  });
}
