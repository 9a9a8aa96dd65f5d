import { operationalDeliveries, operationalWebhooks } from '../../../drizzle/schema';
import type { Queryable } from '../../db/client';
import { enqueueMany } from '../../queue/boss';
import type { Ctx } from '../context';
import { newId } from '../ids';
import type { OperationalEventType } from './event-types';

/**
 * Emitting operational events. Callers pass the transaction that makes the state change (a breaker
 * opening, a delivery dying, a subscription being disabled), so the event exists if and only if the
 * change committed. Each event becomes one row per matching operational webhook, and the row's first
 * attempt a job on the `operational-deliver` queue (deliver.ts), in the same transaction. Those jobs
 * carry no customer group and never enter a subscription's window: they count against no
 * customer's limits.
 */
type Ids = { customerId: string; subscriptionId: string };

export type OperationalNotice =
  | { type: 'subscription.failing'; data: Ids & { url: string; reason: 'circuit_breaker_open'; lastError: string | null } }
  | { type: 'subscription.recovered'; data: Ids & { url: string; reason: 'probe_succeeded' } }
  | { type: 'subscription.disabled'; data: Ids & { url: string; reason: 'gone' | 'auto_disabled'; message: string } }
  | {
      type: 'subscription.certificate_expiring';
      data: Ids & { url: string; reason: 'expiring' | 'expired'; subject: string; fingerprint: string; notAfter: string; message: string };
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
  if (notices.length === 0) return 0;
  const hooks = await tx.select({ id: operationalWebhooks.id, eventTypes: operationalWebhooks.eventTypes }).from(operationalWebhooks);
  if (hooks.length === 0) return 0;
  const now = ctx.now();
  const rows: Array<typeof operationalDeliveries.$inferInsert> = [];
  for (const n of notices) {
    const targets = hooks.filter((h) => !h.eventTypes || h.eventTypes.includes(n.type));
    if (targets.length === 0) continue;
    const eventId = newId('operationalEvent', now.getTime());
    const body = JSON.stringify({ id: eventId, type: n.type, timestamp: now.toISOString(), data: n.data });
    for (const h of targets) {
      rows.push({
        id: newId('operationalDelivery', now.getTime()),
        webhookId: h.id,
        eventId,
        eventType: n.type satisfies OperationalEventType,
        body,
        nextAttemptAt: now,
        createdAt: now,
      });
    }
  }
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    await tx.insert(operationalDeliveries).values(chunk);
    await enqueueMany(
      ctx.boss,
      'operationalDeliver',
      chunk.map((r) => ({ data: { deliveryId: r.id, attempt: 1 } })),
      tx,
    );
  }
  return rows.length;
}
