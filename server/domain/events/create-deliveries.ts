import { sql } from 'drizzle-orm';
import { deliveries } from '../../../drizzle/schema';
import { rawClient, type Tx } from '../../db/client';
import type { Ctx } from '../context';
import { admit, windowRoom } from '../delivery/admission';
import { enqueueAdmitted } from '../delivery/admitted-jobs';
import { flagBacklog } from '../delivery/backlog';
import { deliveryIdOf } from '../ids';
import { initialStatus } from '../delivery/state';
import { tracingOn } from '../../tracing';
import { type TraceContext } from '../../tracing-context';
import type { Target } from './targeting';

/** `trace`: the fan-out span's context (tracing on), the parent of the deliveries' admissions. */
export type FanOutEvent = {
  id: string;
  customerId: string | null;
  type: string;
  /** The event's channels (routing) and tags (carried to a broadcast's per-customer copies). */
  channels?: string[];
  tags?: string[];
  /** The ordering lane's key (server/domain/delivery/lanes.ts); null or absent: unordered. */
  orderingKey?: string | null;
  createdAt?: Date;
  retentionUntil?: Date;
  body?: string;
  traceParent?: string | null;
  trace?: TraceContext;
};

/**
 * Creates the deliveries of `event` to `targets` in the caller's transaction and admits them into
 * their subscriptions' windows (server/domain/delivery/dispatch.ts); what does not fit waits in the table.
 * Idempotent: a delivery's id is derived from `(event_id, subscription_id)` (`deliveryIdOf`), so a
 * re-run after a crash creates nothing twice.
 */
export async function createDeliveries(
  ctx: Ctx,
  tx: Tx,
  event: FanOutEvent,
  targets: Target[],
): Promise<Map<string, number>> {
  return createDeliveriesFor(ctx, tx, [{ event, targets }]);
}

/**
 * `createDeliveries` for several events at once: one read of the windows' room, one insert (those
 * that fit inserted queued, with their jobs), then an admission and a backlog flag only for what
 * did not fit. Returns how many deliveries it created per customer.
 */
export async function createDeliveriesFor(
  ctx: Ctx,
  tx: Tx,
  items: Array<{ event: FanOutEvent; targets: Target[] }>,
): Promise<Map<string, number>> {
  const now = ctx.now();
  const rows = items.flatMap(({ event, targets }) =>
    targets.map((s) => ({
      id: deliveryIdOf(event.id, s.id),
      eventId: event.id,
      subscriptionId: s.id,
      customerId: s.customerId,
      eventType: event.type,
      status: initialStatus(s.active),
      route: s.pattern === null ? ('test' as const) : s.active ? ('matched' as const) : ('held' as const),
      matchedPattern: s.pattern,
      orderingKey: event.orderingKey ?? null,
      queuedAt: null as Date | null,
      nextAttemptAt: now,
      cycleStartedAt: now,
      createdAt: now,
    })),
  );
  const made = new Map<string, number>();
  if (rows.length === 0) return made;
  const startedAt = tracingOn() ? Date.now() : 0;
  const parents = tracingOn()
    ? new Map(items.flatMap(({ event }) => (event.trace ? [[event.id, event.trace] as const] : [])))
    : undefined;
  const subsOf = (ds: Array<{ subscriptionId: string; customerId: string }>) => [
    ...new Map(ds.map((d) => [d.subscriptionId, { id: d.subscriptionId, customerId: d.customerId }])).values(),
  ];
  // PostgreSQL: what fits in the windows is inserted queued (dispatch.ts, windowRoom); on Citus,
  // every delivery is inserted waiting and admitted per customer's shard.
  const room = ctx.config.distributed
    ? null
    : await windowRoom(ctx, tx, subsOf(rows.filter((r) => r.status === 'pending')));
  for (const r of [...rows].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    // A delivery with an ordering key is admitted by `admit` only, which keeps its lane one at a time.
    const w = r.status === 'pending' && !r.orderingKey ? room?.get(r.subscriptionId) : undefined;
    if (w && !w.waiting && w.room > 0 && w.customer.room > 0) {
      r.queuedAt = now;
      w.room -= 1;
      w.customer.room -= 1;
    }
  }
  const inserted = ctx.config.distributed ? await insertRows(tx, rows) : await insertColumns(tx, rows, now);
  for (const d of inserted) made.set(d.customerId, (made.get(d.customerId) ?? 0) + 1);
  await enqueueAdmitted(
    ctx,
    tx,
    inserted
      .filter((d) => d.queued)
      .map((d) => ({
        id: d.id,
        event_id: d.eventId,
        attempt_count: d.attemptCount,
        priority: d.priority,
        subscription_id: d.subscriptionId,
        customer_id: d.customerId,
        tier: room!.get(d.subscriptionId)!.tier,
        probe: false,
      })),
    'fast',
    startedAt,
    parents,
  );
  // The rest wait in the table. A window with room and a backlog (and, on Citus, every window) is
  // filled oldest first; a full window, a rate limit, an open breaker leave them to the dispatcher.
  const waiting = inserted.filter((d) => d.status === 'pending' && !d.queued);
  if (waiting.length === 0) return made;
  const touched = subsOf(waiting);
  const admissible = room
    ? touched.filter((s) => (room.get(s.id)?.room ?? 0) > 0 && (room.get(s.id)?.customer.room ?? 0) > 0)
    : touched;
  const admitted = admissible.length
    ? await admit(ctx, tx, { subscriptions: admissible, fast: true, ...(parents && { parents }) })
    : [];
  if (admitted.length < waiting.length) await flagBacklog(tx, touched);
  return made;
}

type DeliveryRow = typeof deliveries.$inferInsert & {
  id: string;
  subscriptionId: string;
  customerId: string;
  status: string;
};
type Inserted = {
  id: string;
  eventId: string;
  subscriptionId: string;
  customerId: string;
  status: string;
  queued: boolean;
  priority: number;
  attemptCount: number;
};

/** One row of parameters per delivery (Citus routes a multi-row VALUES insert to each row's shard). */
function insertRows(tx: Tx, rows: DeliveryRow[]): Promise<Inserted[]> {
  return tx
    .insert(deliveries)
    .values(rows)
    .onConflictDoNothing({ target: [deliveries.id, deliveries.customerId] })
    .returning({
      id: deliveries.id,
      eventId: deliveries.eventId,
      subscriptionId: deliveries.subscriptionId,
      customerId: deliveries.customerId,
      status: deliveries.status,
      queued: sql<boolean>`${deliveries.queuedAt} is not null`,
      priority: deliveries.priority,
      attemptCount: deliveries.attemptCount,
    });
}

/**
 * One array per column, unnested by PostgreSQL: a broadcast's page of 1,000 deliveries is one array
 * parameter per column, not one scalar per column and row for the client to build and send
 * (docs/performance.md). The same rows and conflict rule as `insertRows`.
 */
async function insertColumns(tx: Tx, rows: DeliveryRow[], now: Date): Promise<Inserted[]> {
  const col = (f: (r: DeliveryRow) => string | null | undefined) => rows.map((r) => f(r) ?? null);
  const at = now.toISOString();
  return rawClient(tx)<Inserted[]>`
    insert into deliveries (id, event_id, subscription_id, customer_id, event_type, status, route, matched_pattern, ordering_key, queued_at, next_attempt_at,
                            cycle_started_at, created_at)
    select u.id, u.event_id, u.subscription_id, u.customer_id, u.event_type, u.status, u.route, u.matched_pattern, u.ordering_key,
           u.queued_at::timestamptz, ${at}::timestamptz, ${at}::timestamptz, ${at}::timestamptz
    from unnest(${col((r) => r.id)}::text[], ${col((r) => r.eventId)}::text[], ${col((r) => r.subscriptionId)}::text[], ${col((r) => r.customerId)}::text[],
                ${col((r) => r.eventType)}::text[], ${col((r) => r.status)}::text[], ${col((r) => r.route)}::text[], ${col((r) => r.matchedPattern)}::text[],
                ${col((r) => r.orderingKey)}::text[], ${col((r) => (r.queuedAt ? at : null))}::text[])
         as u(id, event_id, subscription_id, customer_id, event_type, status, route, matched_pattern, ordering_key, queued_at)
    on conflict (id, customer_id) do nothing
    returning id, event_id as "eventId", subscription_id as "subscriptionId", customer_id as "customerId", status, queued_at is not null as queued,
              priority, attempt_count as "attemptCount"`;
}
