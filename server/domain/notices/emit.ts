import { eq } from 'drizzle-orm';
import { events, subscriptions } from '../../../drizzle/schema';
import type { Queryable } from '../../db/client';
import { enqueueMany } from '../../queue/boss';
import type { Ctx } from '../context';
import { newId } from '../ids';
import { retentionUntilOf } from '../retention-period';
import { firstMatch } from '../patterns';
import { isPlatformCustomer, PLATFORM_CUSTOMER_ID } from '../platform-customer';

/**
 * Emitting operational events. Callers pass the transaction that makes the state change (a breaker
 * opening, a delivery dying, a subscription being disabled), so the event exists if and only if the
 * change committed.
 *
 * An operational notice is an event of the platform customer (tenants/platform-customer.ts): type
 * the notice's type, body `{"id","type","timestamp","data"}` like every event's (its id is the
 * `webhook-id`), and a `fanout` job enqueued in the same transaction. From there it walks the road
 * every event walks: fan-out to the operational webhooks (the platform customer's subscriptions)
 * whose types match, admission into the `deliver` queue under the platform customer's own pg-boss
 * group (so it counts against no real customer's cap), signed attempts, retries, breaker, records.
 *
 * Nothing is said about the platform customer's own subscriptions: a failing operational webhook
 * emitting notices about itself would feed its own failure.
 */
type Ids = { customerId: string; subscriptionId: string };

export type OperationalNotice =
  | {
      type: 'subscription.failing';
      data: Ids & { url: string; reason: 'circuit_breaker_open'; lastError: string | null };
    }
  | { type: 'subscription.recovered'; data: Ids & { url: string; reason: 'probe_succeeded' } }
  | { type: 'subscription.disabled'; data: Ids & { url: string; reason: 'gone' | 'auto_disabled'; message: string } }
  | {
      type: 'subscription.certificate_expiring';
      data: Ids & {
        url: string;
        reason: 'expiring' | 'expired';
        subject: string;
        fingerprint: string;
        notAfter: string;
        message: string;
      };
    }
  | {
      type: 'delivery.dead';
      data: Ids & {
        deliveryId: string;
        eventId: string;
        eventType: string;
        reason: 'retries_exhausted' | 'window_ended' | 'window_ended_behind_breaker' | 'target_refused';
        message: string;
        attemptCount: number;
      };
    };

/** Rows inserted per statement (an expiry behind a breaker may end thousands of deliveries at once). */
const CHUNK = 500;

export async function emitOperational(ctx: Ctx, tx: Queryable, notices: readonly OperationalNotice[]): Promise<number> {
  const told = notices.filter((n) => !isPlatformCustomer(n.data.customerId));
  if (told.length === 0) return 0;
  // An event nobody listens to is not stored: most deployments have a handful of webhooks, or none.
  const hooks = await tx
    .select({ eventTypes: subscriptions.eventTypes })
    .from(subscriptions)
    .where(eq(subscriptions.customerId, PLATFORM_CUSTOMER_ID));
  const heard = told.filter((n) => hooks.some((h) => firstMatch(h.eventTypes, n.type) !== null));
  if (heard.length === 0) return 0;
  const now = ctx.now();
  const retentionUntil = retentionUntilOf(ctx, now, null);
  const rows = heard.map((n) => {
    const id = newId('event', now.getTime());
    return {
      id,
      customerId: PLATFORM_CUSTOMER_ID,
      type: n.type,
      body: JSON.stringify({ id, type: n.type, timestamp: now.toISOString(), data: n.data }),
      createdAt: now,
      retentionUntil,
    };
  });
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    await tx.insert(events).values(chunk);
    await enqueueMany(
      ctx.boss,
      'fanout',
      chunk.map((r) => ({ data: { eventId: r.id, customerId: PLATFORM_CUSTOMER_ID } })),
      tx,
    );
  }
  return rows.length;
}
