import { and, desc, eq, gt, gte, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { bulkReplayItems, bulkReplays, customers, deliveries, events, subscriptions } from '../../../drizzle/schema';
import type { BackfillMatch, BulkReplayFilter } from '../../../drizzle/schema';
import { rawClient, type Queryable, type Tx } from '../../db/client';
import { enqueue } from '../../queue/boss';
import { recordAudit } from '../audit/log';
import type { Ctx, Scope } from '../context';
import { flagBacklog } from '../delivery/backlog';
import { initialStatus } from '../delivery/state';
import { DomainError, badRequest, notFound } from '../errors';
import { candidateColumns, lazyBody, targetsOf, type Candidate } from '../events/fanout';
import { deliveryIdOf, idFloor, newId } from '../ids';
import { page } from '../paging';
import { matchesAny } from '../patterns';
import { assertWritable, ownerOf } from '../scope';
import { typeFilter } from '../type-filter';
import { REPLAY_BATCH, replayView } from './bulk';

/**
 * Backfill, "send past events": every retained event of a subscription's customer, published in a
 * time range, that the subscription matches today (its event-type patterns, channels and payload
 * filter, decided by the fan-out's own `targetsOf`) and never received, sent to it now.
 *
 * A backfill is a kind of bulk replay (`bulk_replays.kind = 'backfill'`): one row, one `bulk-replay`
 * job working in paced batches (server/domain/replay/bulk.ts `runBulkReplay`, which hands each batch
 * of a backfill to `backfillBatch` here), its progress at `GET /replays/{id}`, cancelled with
 * `DELETE /replays/{id}`. What it sends enters the normal admission path: each delivery is inserted
 * pending, outside its window (`queued_at` null), at the bulk priority 0 (below live traffic), and
 * the subscription is flagged for the dispatcher (dispatch.ts `flagBacklog`); its window, rate
 * limit, breaker and the customer's concurrency cap apply as to live traffic.
 *
 * Idempotent: a delivery's id is `deliveryIdOf(event, subscription)` and is inserted with ON
 * CONFLICT DO NOTHING, so an event the subscription already has (from its fan-out, or an earlier
 * backfill) is skipped and counted as such, and a job re-run after a crash sends nothing twice.
 *
 * Bounded work:
 * - the range is clamped to the customer's retention window (nothing older is stored), so a
 *   ten-year range costs what the retention window costs; a range wholly older is a 400;
 * - the events to examine are counted when it starts, at most BACKFILL_MAX_EVENTS (more is a 400
 *   asking for a narrower range): the job reads them in keyset pages of the customer's
 *   `(customer_id, id)` index, BACKFILL_PAGE events and at most REPLAY_BATCH deliveries a transaction;
 * - it is paced like a bulk replay: a customer's running backfills share REPLAY_RATE_PER_SECOND.
 */

/** A preview examines at most this many events of matching types; past it, its count is a lower bound (`capped`). */
export const PREVIEW_CAP = 100_000;
/** A backfill examines at most this many events of matching types; a range holding more is refused. */
export const BACKFILL_MAX_EVENTS = 1_000_000;
/** Events examined per transaction by the job (bodies read only for a payload filter, only for events not yet received). */
export const BACKFILL_PAGE = 250;
const PREVIEW_PAGE = 1000;
const DAY = 86_400_000;

type Row = typeof bulkReplays.$inferSelect;
export type BackfillRequest = { from: Date; to?: Date | undefined; eventTypes?: string[] | undefined };
type Range = { from: Date; to: Date; clampedFrom: Date | null };
type Subscription = Candidate & { disabledReason: string | null };

/** The subscription, as the scope may see it: another customer's is a 404, like an unknown one. */
async function loadSubscription(ctx: Ctx, scope: Scope, id: string): Promise<Subscription> {
  const owner = await ownerOf(ctx, scope, 'subscriptions', id);
  if (!owner) throw notFound('subscription');
  const [s] = await ctx.db
    .select({ ...candidateColumns, disabledReason: subscriptions.disabledReason })
    .from(subscriptions)
    .where(and(eq(subscriptions.id, id), eq(subscriptions.customerId, owner)));
  if (!s) throw notFound('subscription');
  return s;
}

/**
 * The range a request covers: `[from, to)`, `to` by default (and at most) now: events published
 * later reach the subscription by its fan-out. `from` older than the customer's retention window
 * starts at the window (`clampedFrom` says what was asked); a range that ends before it is a 400.
 */
async function rangeOf(ctx: Ctx, customerId: string, req: BackfillRequest): Promise<Range> {
  const now = ctx.now();
  if (req.from.getTime() >= now.getTime())
    throw badRequest('from', `from (${req.from.toISOString()}) must be in the past: events published from now on reach the subscription without a backfill`);
  if (req.to && req.to.getTime() <= req.from.getTime()) throw badRequest('to', `to (${req.to.toISOString()}) must be after from (${req.from.toISOString()})`);
  const to = req.to && req.to.getTime() < now.getTime() ? req.to : now;
  const [c] = await ctx.db.select({ days: customers.retentionDays }).from(customers).where(eq(customers.id, customerId));
  const days = c?.days ?? ctx.config.retentionDays;
  const oldest = new Date(now.getTime() - days * DAY);
  if (to.getTime() <= oldest.getTime())
    throw badRequest(
      'to',
      `the range ends before the retention window: events are kept ${days} days, so nothing published before ${oldest.toISOString()} is left to send`,
    );
  return req.from < oldest ? { from: oldest, to, clampedFrom: req.from } : { from: req.from, to, clampedFrom: null };
}

/** Any of `patterns`, as SQL on the event type (undefined when one is `*`: every type). */
function anyPattern(patterns: readonly string[]): SQL | undefined {
  const each = patterns.map((p) => typeFilter(events.type, p));
  return each.some((c) => c === undefined) ? undefined : or(...each);
}

/**
 * The events a backfill examines: the customer's own rows in the range (an id begins with its
 * publish time, so the range is an id range: the `(customer_id, id)` index, and partitions outside
 * it are skipped), retained, not expunged, of a type the subscription's patterns (and the request's
 * narrower `eventTypes`) match, in a channel it listens to. This is the fan-out's type and channel
 * test written as SQL, so that counting needs no rows; `examine` decides each event with the
 * fan-out's own code all the same.
 */
function candidates(customerId: string, match: BackfillMatch, narrow: readonly string[] | undefined, range: Range, now: Date, after?: string | null): SQL {
  return and(
    eq(events.customerId, customerId),
    gte(events.id, idFloor('event', range.from.getTime())),
    lt(events.id, idFloor('event', range.to.getTime())),
    after ? gt(events.id, after) : undefined,
    gt(events.retentionUntil, now),
    isNull(events.expungedAt),
    anyPattern(match.eventTypes),
    narrow ? anyPattern(narrow) : undefined,
    match.channels.length
      ? sql`${events.channels} && array[${sql.join(
          match.channels.map((c) => sql`${c}`),
          sql`, `,
        )}]::text[]`
      : undefined,
  )!;
}

/** How many events `candidates` holds, counting at most `cap` (one index range; no bodies read). */
async function countCandidates(q: Queryable, where: SQL, cap: number): Promise<number> {
  const [row] = await q.select({ n: sql<number>`count(*)::int` }).from(
    q
      .select({ one: sql`1`.as('one') })
      .from(events)
      .where(where)
      .limit(cap)
      .as('c'),
  );
  return row?.n ?? 0;
}

type Examined = { id: string; type: string; orderingKey: string | null; verdict: 'send' | 'received' | 'filtered'; pattern: string | null };

/**
 * One page of candidate events, oldest first, each decided: `received` when the subscription has its
 * delivery already (the deterministic id, looked up by primary key), else `send` when the fan-out's
 * `targetsOf` sends it there today (patterns, channels, payload filter), else `filtered`. Bodies are
 * read only for a subscription with a filter, and only for the events not yet received.
 */
async function examinePage(
  q: Queryable,
  sub: Candidate,
  narrow: readonly string[] | undefined,
  where: SQL,
  size: number,
): Promise<{ examined: Examined[]; full: boolean }> {
  const rows = await q
    .select({ id: events.id, type: events.type, channels: events.channels, orderingKey: events.orderingKey })
    .from(events)
    .where(where)
    .orderBy(events.id)
    .limit(size);
  if (rows.length === 0) return { examined: [], full: false };
  const ids = rows.map((e) => deliveryIdOf(e.id, sub.id));
  const have = await rawClient(q)<{ id: string }[]>`select id from deliveries where customer_id = ${sub.customerId} and id = any(${ids}::text[])`;
  const received = new Set(have.map((d) => d.id));
  const open = rows.filter((e, i) => !received.has(ids[i]!));
  const bodies =
    sub.filter && open.length
      ? new Map(
          (
            await rawClient(q)<{ id: string; body: string }[]>`
              select id, body from events where customer_id = ${sub.customerId} and id = any(${open.map((e) => e.id)}::text[]) and expunged_at is null`
          ).map((e) => [e.id, e.body]),
        )
      : null;
  const examined = rows.map((e, i): Examined => {
    const seen = { id: e.id, type: e.type, orderingKey: e.orderingKey };
    if (received.has(ids[i]!)) return { ...seen, verdict: 'received', pattern: null };
    const body = bodies?.get(e.id);
    // Purged or expunged meanwhile: nothing left to filter on, nor to send.
    if (bodies && (body === undefined || body === '')) return { ...seen, verdict: 'filtered', pattern: null };
    if (narrow && !matchesAny(narrow, e.type)) return { ...seen, verdict: 'filtered', pattern: null };
    const [target] = targetsOf([sub], e.type, body === undefined ? () => undefined : lazyBody(body), e.channels).targets;
    return target ? { ...seen, verdict: 'send', pattern: target.pattern } : { ...seen, verdict: 'filtered', pattern: null };
  });
  return { examined, full: rows.length === size };
}

const matchOf = (s: Candidate): BackfillMatch => ({ eventTypes: s.eventTypes, channels: s.channels, filter: s.filter });

/**
 * `GET /subscriptions/{id}/backfill/preview`: how many events a backfill of this range would send
 * now. It examines at most PREVIEW_CAP events of matching types, oldest first; when the range holds
 * more, `capped` is true and `count` covers only those (a lower bound). Nothing is written.
 */
export async function previewBackfill(ctx: Ctx, scope: Scope, subscriptionId: string, req: BackfillRequest) {
  const sub = await loadSubscription(ctx, scope, subscriptionId);
  const range = await rangeOf(ctx, sub.customerId, req);
  const now = ctx.now();
  let count = 0;
  let examined = 0;
  let after: string | null = null;
  let capped = false;
  for (;;) {
    const size = Math.min(PREVIEW_PAGE, PREVIEW_CAP - examined);
    const p = await examinePage(ctx.db, sub, req.eventTypes, candidates(sub.customerId, matchOf(sub), req.eventTypes, range, now, after), size);
    examined += p.examined.length;
    count += p.examined.filter((e) => e.verdict === 'send').length;
    after = p.examined.at(-1)?.id ?? after;
    if (!p.full) break;
    if (examined >= PREVIEW_CAP) {
      capped = (await countCandidates(ctx.db, candidates(sub.customerId, matchOf(sub), req.eventTypes, range, now, after), 1)) > 0;
      break;
    }
  }
  return {
    count,
    capped,
    examined,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    clampedFrom: range.clampedFrom?.toISOString() ?? null,
  };
}

/**
 * `POST /subscriptions/{id}/backfill`: starts a backfill (one row, one job) of the range, with the
 * subscription's patterns, channels and filter as they are now. A paused or disabled subscription
 * is a 409 (what it were sent would only be held); so is a second backfill of a subscription while
 * one runs. The events to examine are counted here (`total`), at most BACKFILL_MAX_EVENTS.
 */
export async function startBackfill(ctx: Ctx, scope: Scope, subscriptionId: string, req: BackfillRequest) {
  assertWritable(scope);
  const sub = await loadSubscription(ctx, scope, subscriptionId);
  const customerId = sub.customerId;
  const range = await rangeOf(ctx, customerId, req);
  if (!sub.active)
    throw new DomainError(
      'conflict',
      sub.disabledReason
        ? `subscription is disabled (${sub.disabledReason}): resume it before sending past events`
        : 'subscription is paused: resume it before sending past events (sent to a paused subscription, they would only be held)',
    );
  const match = matchOf(sub);
  const filter: BulkReplayFilter = {
    subscriptionId,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    ...(req.eventTypes && { eventTypes: req.eventTypes }),
  };
  const row = await ctx.db.transaction(async (tx) => {
    // Serialise a subscription's backfill requests: two clicks at once must not start two.
    await rawClient(tx)`select pg_advisory_xact_lock(hashtext(${`backfill:${customerId}:${subscriptionId}`}))`;
    const [running] = await tx
      .select({ id: bulkReplays.id })
      .from(bulkReplays)
      .where(
        and(
          eq(bulkReplays.customerId, customerId),
          eq(bulkReplays.subscriptionId, subscriptionId),
          eq(bulkReplays.kind, 'backfill'),
          eq(bulkReplays.status, 'running'),
        ),
      );
    if (running) throw new DomainError('conflict', `a backfill of this subscription is running (${running.id}): cancel it or wait for it to finish`);
    const now = ctx.now();
    const total = await countCandidates(tx, candidates(customerId, match, req.eventTypes, range, now), BACKFILL_MAX_EVENTS + 1);
    if (total > BACKFILL_MAX_EVENTS)
      throw badRequest(
        'from',
        `the range holds more than ${BACKFILL_MAX_EVENTS.toLocaleString('en-US')} events of this subscription's types, the most one backfill examines: narrow it (from, to or eventTypes) and send it in parts`,
      );
    const [r] = await tx
      .insert(bulkReplays)
      .values({
        id: newId('replay', now.getTime()),
        customerId,
        kind: 'backfill',
        subscriptionId,
        match,
        filter,
        total,
        status: total === 0 ? 'completed' : 'running',
        createdAt: now,
        updatedAt: now,
        finishedAt: total === 0 ? now : null,
      })
      .returning();
    if (total > 0) await enqueue(ctx.boss, 'bulkReplay', { replayId: r!.id, customerId }, {}, tx);
    await recordAudit(ctx, tx, scope, {
      customerId,
      action: 'backfill.started',
      target: { kind: 'subscription', id: subscriptionId },
      after: { backfillId: r!.id, ...filter, total, ...(range.clampedFrom && { requestedFrom: range.clampedFrom.toISOString() }) },
    });
    return r!;
  });
  return { ...(await replayView(ctx, row)), clampedFrom: range.clampedFrom?.toISOString() ?? null };
}

/** `GET /subscriptions/{id}/backfills`: the subscription's backfills with their progress, newest first. */
export async function listBackfills(ctx: Ctx, scope: Scope, subscriptionId: string, input: { limit: number; cursor?: string | undefined }) {
  const sub = await loadSubscription(ctx, scope, subscriptionId);
  const rows = await ctx.db
    .select()
    .from(bulkReplays)
    .where(
      and(
        eq(bulkReplays.customerId, sub.customerId),
        eq(bulkReplays.subscriptionId, subscriptionId),
        eq(bulkReplays.kind, 'backfill'),
        input.cursor ? lt(bulkReplays.id, input.cursor) : undefined,
      ),
    )
    .orderBy(desc(bulkReplays.id))
    .limit(input.limit + 1);
  const p = page(rows, input.limit);
  return { data: await Promise.all(p.data.map((r) => replayView(ctx, r))), nextCursor: p.nextCursor };
}

/**
 * One batch of a backfill's job, in the job's transaction (its row locked, running): the next page
 * of events after the cursor, decided by `examinePage`; up to REPLAY_BATCH of them sent (inserted
 * pending at priority 0, recorded as the backfill's items, the subscription flagged for the
 * dispatcher); the counts and the cursor advanced. A subscription paused meanwhile gets them held,
 * as its fan-out would; one deleted meanwhile ends the backfill (cancelled). Returns how many it
 * sent, whether it is done, and its pace: the customer's running backfills share the replay rate.
 */
export async function backfillBatch(ctx: Ctx, tx: Tx, r: Row): Promise<{ count: number; done: boolean; ratePerSecond: number }> {
  const now = ctx.now();
  const customerId = r.customerId;
  const ratePerSecond = ctx.config.replayRatePerSecond / (await runningBackfills(tx, customerId));
  const thisRow = and(eq(bulkReplays.id, r.id), eq(bulkReplays.customerId, customerId));
  const [sub] = r.subscriptionId
    ? await tx
        .select({ active: subscriptions.active })
        .from(subscriptions)
        .where(and(eq(subscriptions.id, r.subscriptionId), eq(subscriptions.customerId, customerId)))
    : [];
  if (!sub || !r.match || !r.filter.from || !r.filter.to) {
    await tx.update(bulkReplays).set({ status: 'cancelled', finishedAt: now, updatedAt: now }).where(thisRow);
    ctx.log.info({ replayId: r.id, subscriptionId: r.subscriptionId }, 'backfill stopped: its subscription is gone');
    return { count: 0, done: true, ratePerSecond };
  }
  const target: Candidate = { id: r.subscriptionId!, customerId, active: sub.active, ...r.match };
  const range: Range = { from: new Date(r.filter.from), to: new Date(r.filter.to), clampedFrom: null };
  const narrow = r.filter.eventTypes;
  const { examined, full } = await examinePage(tx, target, narrow, candidates(customerId, r.match, narrow, range, now, r.cursor), BACKFILL_PAGE);
  // Up to REPLAY_BATCH sends: the page is taken up to the event before the next send past them.
  const sends: Examined[] = [];
  let taken = 0;
  for (const e of examined) {
    if (e.verdict === 'send' && sends.length === REPLAY_BATCH) break;
    if (e.verdict === 'send') sends.push(e);
    taken++;
  }
  const upTo = examined.slice(0, taken);
  const inserted = sends.length
    ? await tx
        .insert(deliveries)
        .values(
          sends.map((e) => ({
            id: deliveryIdOf(e.id, target.id),
            eventId: e.id,
            subscriptionId: target.id,
            customerId,
            eventType: e.type,
            status: initialStatus(sub.active),
            route: sub.active ? ('matched' as const) : ('held' as const),
            matchedPattern: e.pattern,
            orderingKey: e.orderingKey,
            // Bulk priority (below live traffic); outside the window: the dispatcher admits it.
            priority: 0,
            queuedAt: null,
            nextAttemptAt: now,
            cycleStartedAt: now,
            createdAt: now,
            updatedAt: now,
          })),
        )
        .onConflictDoNothing({ target: [deliveries.id, deliveries.customerId] })
        .returning({ id: deliveries.id })
    : [];
  if (inserted.length) {
    await tx
      .insert(bulkReplayItems)
      .values(inserted.map((d) => ({ replayId: r.id, customerId, deliveryId: d.id })))
      .onConflictDoNothing();
    if (sub.active) await flagBacklog(tx, [{ id: target.id, customerId }]);
  }
  const done = taken === examined.length && !full;
  await tx
    .update(bulkReplays)
    .set({
      enqueued: r.enqueued + inserted.length,
      // A delivery made meanwhile by a fan-out (or a crashed run of this batch) is one it already had.
      skipped: r.skipped + upTo.filter((e) => e.verdict === 'received').length + (sends.length - inserted.length),
      filteredOut: r.filteredOut + upTo.filter((e) => e.verdict === 'filtered').length,
      cursor: upTo.at(-1)?.id ?? r.cursor,
      updatedAt: now,
      ...(done && { status: 'completed' as const, finishedAt: now }),
    })
    .where(thisRow);
  return { count: inserted.length, done, ratePerSecond };
}

/** How many backfills of the customer run now (at least 1: the one asking). */
async function runningBackfills(tx: Tx, customerId: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(bulkReplays)
    .where(and(eq(bulkReplays.customerId, customerId), eq(bulkReplays.kind, 'backfill'), eq(bulkReplays.status, 'running')));
  return Math.max(1, row?.n ?? 1);
}
