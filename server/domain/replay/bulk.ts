import { and, desc, eq, gte, lte, sql } from 'drizzle-orm';
import { bulkReplayItems, bulkReplays, deliveries, events } from '../../../drizzle/schema';
import type { BulkReplayFilter, BulkReplayKind } from '../../../drizzle/schema';
import { rawClient, type Tx } from '../../db/client';
import { enqueue } from '../../queue/boss';
import type { Ctx, Scope } from '../context';
import { DomainError, notFound } from '../errors';
import { newId } from '../ids';
import { actingCustomer, assertNamed, assertWritable, listingCustomer, scopeFilter } from '../scope';
import { typeFilter } from '../type-filter';
import { keysetPage } from '../paging';
import { recordAudit } from '../audit/log';
import { formatDuration } from '../wording';

/**
 * "Replay all": one bulk replay record and one job, whatever the number of dead letters.
 * The job re-enqueues in batches at `replayRatePerSecond` for the customer; re-enqueued deliveries
 * go back to the deliveries table (not straight to pg-boss), so each subscription's window, rate
 * limit and breaker, and the customer's concurrency cap, apply to them like to live traffic.
 * A customer has at most one running (a second request returns it); starting another sooner than
 * `replayMinIntervalMs` after the last one ended is a 429 with Retry-After. Replayed deliveries
 * have priority 0: each subscription admits its live traffic (priority 1) first.
 * A backfill ("send past events", ./backfill.ts) is a bulk replay of another kind: it shares the
 * job, its pacing, progress and cancel; only its batches are its own. "One running per customer" and
 * the interval between replays concern replays only.
 */
export const REPLAY_BATCH = 100;

type Row = typeof bulkReplays.$inferSelect;

export type ReplayInput = {
  customerId?: string | undefined;
  subscriptionId?: string | undefined;
  eventType?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
};

/** The dead letters a bulk replay of `filter` re-enqueues: the customer's, with their event still retained and not expunged. */
export function matching(ctx: Ctx, customerId: string, filter: BulkReplayFilter) {
  return and(
    eq(deliveries.customerId, customerId),
    eq(deliveries.status, 'dead'),
    filter.subscriptionId ? eq(deliveries.subscriptionId, filter.subscriptionId) : undefined,
    typeFilter(deliveries.eventType, filter.eventType),
    filter.from ? gte(deliveries.createdAt, new Date(filter.from)) : undefined,
    filter.to ? lte(deliveries.createdAt, new Date(filter.to)) : undefined,
    sql`exists (select 1 from ${events} where ${events.id} = ${deliveries.eventId} and ${events.customerId} = ${deliveries.customerId} and ${events.retentionUntil} > ${ctx.now().toISOString()}::timestamptz and ${events.expungedAt} is null)`,
  );
}

export async function replayView(ctx: Ctx, r: Row) {
  const [progress] = await ctx.db
    .select({
      delivered: sql<number>`count(*) filter (where ${deliveries.status} = 'succeeded')::int`,
      failed: sql<number>`count(*) filter (where ${deliveries.status} = 'dead' or ${deliveries.status} = 'held')::int`,
      pending: sql<number>`count(*) filter (where ${deliveries.status} = 'pending')::int`,
    })
    .from(bulkReplayItems)
    .innerJoin(
      deliveries,
      and(eq(deliveries.id, bulkReplayItems.deliveryId), eq(deliveries.customerId, bulkReplayItems.customerId)),
    )
    .where(and(eq(bulkReplayItems.replayId, r.id), eq(bulkReplayItems.customerId, r.customerId)));
  return {
    id: r.id,
    customerId: r.customerId,
    filter: r.filter,
    kind: r.kind,
    status: r.status,
    total: r.total,
    enqueued: r.enqueued,
    skipped: r.skipped,
    filteredOut: r.filteredOut,
    delivered: progress?.delivered ?? 0,
    failed: progress?.failed ?? 0,
    inFlight: progress?.pending ?? 0,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

/**
 * Records a bulk replay (or a backfill) of `total` items at `now` and enqueues its job; with nothing
 * to do it is completed at once and no job runs.
 */
export async function insertBulkReplay(
  ctx: Ctx,
  tx: Tx,
  now: Date,
  values: Omit<typeof bulkReplays.$inferInsert, 'id' | 'status' | 'createdAt' | 'updatedAt' | 'finishedAt'> & {
    total: number;
  },
): Promise<Row> {
  const [row] = await tx
    .insert(bulkReplays)
    .values({
      id: newId('replay', now.getTime()),
      ...values,
      status: values.total === 0 ? 'completed' : 'running',
      createdAt: now,
      updatedAt: now,
      finishedAt: values.total === 0 ? now : null,
    })
    .returning();
  if (values.total > 0)
    await enqueue(ctx.boss, 'bulkReplay', { replayId: row!.id, customerId: row!.customerId }, {}, tx);
  return row!;
}

export async function createBulkReplay(ctx: Ctx, scope: Scope, input: ReplayInput) {
  assertWritable(scope);
  const customerId = actingCustomer(scope, input.customerId);
  // Before the replay's throttle is consulted: naming what the caller cannot see spends nothing.
  await assertNamed(ctx, scope, customerId, { subscriptionId: input.subscriptionId });
  const filter: BulkReplayFilter = {
    ...(input.subscriptionId && { subscriptionId: input.subscriptionId }),
    ...(input.eventType && { eventType: input.eventType }),
    ...(input.from && { from: input.from.toISOString() }),
    ...(input.to && { to: input.to.toISOString() }),
  };
  const result = await ctx.db.transaction(async (tx) => {
    // Serialise a customer's replay requests: two clicks at once must not start two replays.
    await rawClient(tx)`select pg_advisory_xact_lock(hashtext(${`replay:${customerId}`}))`;
    const [running] = await tx
      .select()
      .from(bulkReplays)
      .where(
        and(eq(bulkReplays.customerId, customerId), eq(bulkReplays.kind, 'replay'), eq(bulkReplays.status, 'running')),
      );
    if (running) return { row: running, existing: true };
    const [last] = await tx
      .select()
      .from(bulkReplays)
      .where(and(eq(bulkReplays.customerId, customerId), eq(bulkReplays.kind, 'replay')))
      .orderBy(desc(bulkReplays.createdAt))
      .limit(1);
    const now = ctx.now();
    const lastAt = last ? (last.finishedAt ?? last.createdAt).getTime() : 0;
    if (last && now.getTime() - lastAt < ctx.config.replayMinIntervalMs) {
      const wait = Math.ceil((ctx.config.replayMinIntervalMs - (now.getTime() - lastAt)) / 1000);
      const interval = formatDuration(ctx.config.replayMinIntervalMs / 1000);
      throw new DomainError(
        'rate_limited',
        `a bulk replay may start ${interval} after the last one ended; try again in ${formatDuration(wait)}`,
        {
          retryAfterSeconds: Math.max(1, wait),
        },
      );
    }
    const [{ total } = { total: 0 }] = await tx
      .select({ total: sql<number>`count(*)::int` })
      .from(deliveries)
      .where(matching(ctx, customerId, filter));
    const row = await insertBulkReplay(ctx, tx, now, { customerId, filter, total });
    await recordAudit(ctx, tx, scope, {
      customerId,
      action: 'bulk_replay.created',
      target: { kind: 'bulk_replay', id: row.id },
      after: { filter, total },
    });
    return { row, existing: false };
  });
  return { ...(await replayView(ctx, result.row)), existing: result.existing };
}

async function loadScoped(ctx: Ctx, scope: Scope, id: string): Promise<Row> {
  const [row] = await ctx.db
    .select()
    .from(bulkReplays)
    .where(and(eq(bulkReplays.id, id), scopeFilter(scope, bulkReplays.customerId)));
  if (!row) throw notFound('bulk replay');
  return row;
}

export async function getBulkReplay(ctx: Ctx, scope: Scope, id: string) {
  return replayView(ctx, await loadScoped(ctx, scope, id));
}

/** Bulk replays (of one kind: replays by default) with their progress, newest first, keyset-paginated by id like every list. */
export async function listBulkReplays(
  ctx: Ctx,
  scope: Scope,
  input: {
    customerId?: string | undefined;
    kind?: BulkReplayKind | undefined;
    limit: number;
    cursor?: string | undefined;
  },
) {
  const customerId = listingCustomer(scope, input.customerId);
  await assertNamed(ctx, scope, customerId, {});
  const p = await keysetPage(
    ctx.db.select().from(bulkReplays).$dynamic(),
    bulkReplays.id,
    and(customerId ? eq(bulkReplays.customerId, customerId) : undefined, eq(bulkReplays.kind, input.kind ?? 'replay')),
    input,
  );
  return { data: await Promise.all(p.data.map((r) => replayView(ctx, r))), nextCursor: p.nextCursor };
}

/** Stops re-enqueuing. Deliveries already re-enqueued continue (they are live deliveries again). */
export async function cancelBulkReplay(ctx: Ctx, scope: Scope, id: string) {
  assertWritable(scope);
  const row = await loadScoped(ctx, scope, id);
  const what = row.kind === 'backfill' ? 'backfill' : 'bulk replay';
  if (row.status !== 'running') throw new DomainError('conflict', `${what} is already ${row.status}`);
  const updated = await ctx.db.transaction(async (tx) => {
    const [u] = await tx
      .update(bulkReplays)
      .set({ status: 'cancelled', finishedAt: ctx.now(), updatedAt: ctx.now() })
      .where(and(eq(bulkReplays.customerId, row.customerId), eq(bulkReplays.id, id), eq(bulkReplays.status, 'running')))
      .returning();
    if (u)
      await recordAudit(
        ctx,
        tx,
        scope,
        u.kind === 'backfill'
          ? {
              customerId: u.customerId,
              action: 'backfill.cancelled',
              target: { kind: 'subscription', id: u.subscriptionId ?? id },
              before: { backfillId: id, status: 'running' },
              after: { backfillId: id, status: 'cancelled', sent: u.enqueued, skipped: u.skipped },
            }
          : {
              customerId: u.customerId,
              action: 'bulk_replay.cancelled',
              target: { kind: 'bulk_replay', id },
              before: { status: 'running' },
              after: { status: 'cancelled', enqueued: u.enqueued },
            },
      );
    return u;
  });
  return replayView(ctx, updated ?? row);
}
