import { and, eq } from 'drizzle-orm';
import { bulkReplays, customers, subscriptions } from '../../../drizzle/schema';
import type { BackfillMatch, BulkReplayFilter } from '../../../drizzle/schema';
import { rawClient } from '../../db/client';
import { recordAudit } from '../audit/log';
import type { Ctx, Scope } from '../context';
import { DomainError, badRequest, notFound } from '../errors';
import { candidateColumns, type Candidate } from '../events/targeting';
import { keysetPage } from '../paging';
import { assertWritable, ownerOf } from '../scope';
import { insertBulkReplay, replayView } from './bulk';
import { candidates, countCandidates, examinePage, type Range } from './backfill-candidates';

/**
 * Backfill, "send past events": every retained event of a subscription's customer, published in a
 * time range, that the subscription matches today (its event-type patterns, channels and payload
 * filter, decided by the fan-out's own `targetsOf`) and never received, sent to it now.
 *
 * A backfill is a kind of bulk replay (`bulk_replays.kind = 'backfill'`): one row, one `bulk-replay`
 * job working in paced batches (server/domain/replay/bulk-job.ts `runBulkReplay`, which hands each batch
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
const PREVIEW_CAP = 100_000;
/** A backfill examines at most this many events of matching types; a range holding more is refused. */
const BACKFILL_MAX_EVENTS = 1_000_000;
const PREVIEW_PAGE = 1000;
const DAY = 86_400_000;

export type BackfillRequest = { from: Date; to?: Date | undefined; eventTypes?: string[] | undefined };
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
    throw badRequest(
      'from',
      `from (${req.from.toISOString()}) must be in the past: events published from now on reach the subscription without a backfill`,
    );
  if (req.to && req.to.getTime() <= req.from.getTime())
    throw badRequest('to', `to (${req.to.toISOString()}) must be after from (${req.from.toISOString()})`);
  const to = req.to && req.to.getTime() < now.getTime() ? req.to : now;
  const [c] = await ctx.db
    .select({ days: customers.retentionDays })
    .from(customers)
    .where(eq(customers.id, customerId));
  const days = c?.days ?? ctx.config.retentionDays;
  const oldest = new Date(now.getTime() - days * DAY);
  if (to.getTime() <= oldest.getTime())
    throw badRequest(
      'to',
      `the range ends before the retention window: events are kept ${days} days, so nothing published before ${oldest.toISOString()} is left to send`,
    );
  return req.from < oldest ? { from: oldest, to, clampedFrom: req.from } : { from: req.from, to, clampedFrom: null };
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
    const p = await examinePage(
      ctx.db,
      sub,
      req.eventTypes,
      candidates(sub.customerId, matchOf(sub), req.eventTypes, range, now, after),
      size,
    );
    examined += p.examined.length;
    count += p.examined.filter((e) => e.verdict === 'send').length;
    after = p.examined.at(-1)?.id ?? after;
    if (!p.full) break;
    if (examined >= PREVIEW_CAP) {
      capped =
        (await countCandidates(
          ctx.db,
          candidates(sub.customerId, matchOf(sub), req.eventTypes, range, now, after),
          1,
        )) > 0;
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
    if (running)
      throw new DomainError(
        'conflict',
        `a backfill of this subscription is running (${running.id}): cancel it or wait for it to finish`,
      );
    const now = ctx.now();
    const total = await countCandidates(
      tx,
      candidates(customerId, match, req.eventTypes, range, now),
      BACKFILL_MAX_EVENTS + 1,
    );
    if (total > BACKFILL_MAX_EVENTS)
      throw badRequest(
        'from',
        `the range holds more than ${BACKFILL_MAX_EVENTS.toLocaleString('en-US')} events of this subscription's types, the most one backfill examines: narrow it (from, to or eventTypes) and send it in parts`,
      );
    const r = await insertBulkReplay(ctx, tx, now, {
      customerId,
      kind: 'backfill',
      subscriptionId,
      match,
      filter,
      total,
    });
    await recordAudit(ctx, tx, scope, {
      customerId,
      action: 'backfill.started',
      target: { kind: 'subscription', id: subscriptionId },
      after: {
        backfillId: r.id,
        ...filter,
        total,
        ...(range.clampedFrom && { requestedFrom: range.clampedFrom.toISOString() }),
      },
    });
    return r;
  });
  return { ...(await replayView(ctx, row)), clampedFrom: range.clampedFrom?.toISOString() ?? null };
}

/** `GET /subscriptions/{id}/backfills`: the subscription's backfills with their progress, newest first. */
export async function listBackfills(
  ctx: Ctx,
  scope: Scope,
  subscriptionId: string,
  input: { limit: number; cursor?: string | undefined },
) {
  const sub = await loadSubscription(ctx, scope, subscriptionId);
  const p = await keysetPage(
    ctx.db.select().from(bulkReplays).$dynamic(),
    bulkReplays.id,
    and(
      eq(bulkReplays.customerId, sub.customerId),
      eq(bulkReplays.subscriptionId, subscriptionId),
      eq(bulkReplays.kind, 'backfill'),
    ),
    input,
  );
  return { data: await Promise.all(p.data.map((r) => replayView(ctx, r))), nextCursor: p.nextCursor };
}
