import { and, eq, inArray, sql } from 'drizzle-orm';
import { attempts, customers, deliveries, events, subscriptions } from '../../../drizzle/schema';
import type { AttemptTrigger, BreakerState } from '../../../drizzle/schema';
import type { Tx } from '../../db/client';
import { bossDb, rawClient } from '../../db/client';
import type { Logger } from '../../log';
import { metrics } from '../../metrics';
import { catalog } from '../../queue/catalog';
import type { Ctx } from '../context';
import { decryptSecret } from '../tenants/crypto';
import { deferToTable, holdOne, holdPending, statusAfter } from './state';
import { admit, flagBacklog } from './dispatch';
import type { Sender, SendResult } from './http-sender';
import { newId } from '../ids';
import { decide, resolvePolicy, type Decision } from './retry-policy';
import { signedHeaders } from './signing';

export const USER_AGENT = 'Hookrelay/0.1 (+https://github.com/hookrelay)';

export type DeliverJob = { id: string; data: { deliveryId: string; attempt: number } };

export type Loaded = Awaited<ReturnType<typeof loadForAttempts>>[number];

/** Loads what attempts need (delivery, subscription, event body, customer tier) in one query. */
export async function loadForAttempts(ctx: Ctx, deliveryIds: string[]) {
  return ctx.db
    .select({
      delivery: deliveries,
      sub: {
        id: subscriptions.id,
        url: subscriptions.url,
        active: subscriptions.active,
        secretEnc: subscriptions.secretEnc,
        previousSecretEnc: subscriptions.previousSecretEnc,
        previousSecretExpiresAt: subscriptions.previousSecretExpiresAt,
        retryPolicy: subscriptions.retryPolicy,
        timeoutMs: subscriptions.timeoutMs,
        breakerState: subscriptions.breakerState,
        breakerFailures: subscriptions.breakerFailures,
        backlog: subscriptions.backlog,
      },
      event: { id: events.id, body: events.body },
      tier: customers.tier,
    })
    .from(deliveries)
    .innerJoin(subscriptions, eq(subscriptions.id, deliveries.subscriptionId))
    .innerJoin(events, eq(events.id, deliveries.eventId))
    .innerJoin(customers, eq(customers.id, deliveries.customerId))
    .where(inArray(deliveries.id, deliveryIds));
}

/** The secrets that sign an attempt: the current one, plus the rotated-out one during its grace period. */
export function activeSecrets(ctx: Ctx, sub: Loaded['sub']): string[] {
  const secrets = [decryptSecret(ctx.keys, sub.secretEnc)];
  if (sub.previousSecretEnc && sub.previousSecretExpiresAt && sub.previousSecretExpiresAt > ctx.now()) {
    secrets.push(decryptSecret(ctx.keys, sub.previousSecretEnc));
  }
  return secrets;
}

function triggerOf(d: Loaded['delivery'], attempt: number): AttemptTrigger {
  if (attempt === d.cycleStart + 1) return d.replayCount > 0 ? 'replay' : 'initial';
  return 'retry';
}

/** A finished HTTP attempt, waiting to be recorded. */
export type Outcome = { job: DeliverJob; row: Loaded; startedAt: Date; headers: Record<string, string>; result: SendResult; decision: Decision };

/** How the worker reaches the database: one row and one transaction each by default, batched by the worker. */
export type AttemptIo = {
  load(deliveryId: string): Promise<Loaded | undefined>;
  record(outcome: Outcome): Promise<void>;
  completeStale(jobId: string): Promise<void>;
};

export const directIo = (ctx: Ctx): AttemptIo => ({
  load: async (id) => (await loadForAttempts(ctx, [id]))[0],
  record: (o) => recordOutcomes(ctx, [o]),
  completeStale: async (jobId) => { await ctx.boss.complete(catalog.deliver.name, jobId); },
});

/**
 * Performs the attempt a `deliver` job stands for, then records it. Idempotent under crash-retry:
 * the job names the attempt number it performs, and a delivery that has moved past it (or is no
 * longer pending, or no longer in its window) makes the job a no-op. A worker killed mid-request
 * leaves the delivery untouched, so the re-run job sends again with the same webhook-id.
 * An open circuit breaker hands the delivery back to the table without spending an attempt.
 */
export async function performAttempt(ctx: Ctx, sender: Sender, job: DeliverJob, io: AttemptIo = directIo(ctx)): Promise<'sent' | 'stale' | 'held' | 'deferred'> {
  const row = await io.load(job.data.deliveryId);
  const log = attemptLog(ctx, job, row);
  if (!row || row.delivery.status !== 'pending' || row.delivery.attemptCount !== job.data.attempt - 1 || row.delivery.queuedAt === null) {
    await io.completeStale(job.id);
    metrics.deliveryJobsSkipped.inc({ reason: 'stale' });
    log.debug({ status: row?.delivery.status ?? 'missing', attemptCount: row?.delivery.attemptCount }, 'stale deliver job: attempt already recorded or delivery no longer pending');
    return 'stale';
  }
  if (!row.sub.active || row.sub.breakerState === 'open') {
    const outcome = await ctx.db.transaction(async (tx) => {
      if (!row.sub.active) {
        // Re-read the subscription under a share lock: a re-enable that committed since we loaded it
        // did not release this delivery (it was not held yet), so holding it would strand it. Either
        // the re-enable committed first (we see it active and start over), or it waits for us and
        // then releases what we hold.
        const [sub] = await tx.select({ active: subscriptions.active }).from(subscriptions).where(eq(subscriptions.id, row.sub.id)).for('share');
        if (sub?.active) return 'reenabled' as const;
      }
      const held = !row.sub.active;
      if (held) await holdOne(ctx, tx, row.delivery.id);
      else await deferToTable(ctx, tx, row.delivery.id, row.sub.id);
      await ctx.boss.complete(catalog.deliver.name, job.id, null, { db: bossDb(tx) });
      return held ? ('held' as const) : ('deferred' as const);
    });
    if (outcome === 'reenabled') return performAttempt(ctx, sender, job, io);
    metrics.deliveryJobsSkipped.inc({ reason: outcome });
    log.debug(outcome === 'held' ? 'subscription disabled: delivery held' : 'circuit breaker open: delivery handed back to the table without an attempt');
    return outcome;
  }
  const startedAt = ctx.now();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    ...signedHeaders(activeSecrets(ctx, row.sub), row.event.id, Math.floor(startedAt.getTime() / 1000), row.event.body),
  };
  const result = await sender.send(row.sub.url, headers, row.event.body, row.sub.timeoutMs);
  metrics.attemptDuration.observe({ result: resultClass(result.outcome) }, result.latencyMs / 1000);
  const decision = decide({
    outcome: result.outcome,
    attemptInCycle: job.data.attempt - row.delivery.cycleStart,
    cycleStartedAt: row.delivery.cycleStartedAt,
    policy: resolvePolicy(row.sub.retryPolicy),
    now: ctx.now(),
    random: ctx.random,
    timeScale: ctx.config.retryTimeScale,
  });
  await io.record({ job, row, startedAt, headers, result, decision });
  return 'sent';
}

/** Every line about a delivery carries its ids (and the job's), so one filter follows it across workers. */
function attemptLog(ctx: Ctx, job: DeliverJob, row: Loaded | undefined): Logger {
  return ctx.log.child({
    deliveryId: job.data.deliveryId,
    attempt: job.data.attempt,
    jobId: job.id,
    ...(row && { eventId: row.event.id, customerId: row.delivery.customerId, subscriptionId: row.sub.id }),
  });
}

/** Result class for the latency histogram: status class, or the error class (timeout, connection, dns, tls...). */
function resultClass(outcome: SendResult['outcome']): string {
  return outcome.kind === 'response' ? `${Math.floor(outcome.status / 100)}xx` : outcome.errorClass;
}

/** Counts and logs recorded outcomes (after their transaction committed). */
function reportOutcomes(ctx: Ctx, outcomes: Outcome[], recorded: Outcome[], breakers: Map<string, { from: BreakerState; to: BreakerState }>): void {
  const fresh = new Set(recorded);
  for (const o of outcomes) {
    const log = attemptLog(ctx, o.job, o.row);
    if (!fresh.has(o)) {
      metrics.deliveryJobsSkipped.inc({ reason: 'stale' });
      log.info('attempt sent but already recorded by another worker (its lease had expired); not recorded twice');
      continue;
    }
    metrics.deliveryAttempts.inc({ outcome: o.decision.action });
    const r = o.result.outcome;
    const fields = { latencyMs: o.result.latencyMs, ...(r.kind === 'response' ? { status: r.status } : { errorClass: r.errorClass, error: r.message }) };
    switch (o.decision.action) {
      case 'succeeded':
        log.debug({ ...fields, outcome: 'succeeded' }, 'delivered');
        break;
      case 'retry':
        log.info({ ...fields, outcome: 'retry', nextAttemptAt: o.decision.at.toISOString() }, 'attempt failed; retry scheduled');
        break;
      case 'dead':
        log.warn({ ...fields, outcome: 'dead', reason: o.decision.reason }, 'delivery dead-lettered');
        break;
      case 'gone':
        log.warn({ ...fields, outcome: 'gone' }, 'endpoint answered 410 Gone: subscription disabled, its pending deliveries held');
        break;
    }
  }
  for (const [subscriptionId, { from, to }] of breakers) {
    const o = recorded.find((x) => x.row.sub.id === subscriptionId)!;
    const log = ctx.log.child({ subscriptionId, customerId: o.row.delivery.customerId, deliveryId: o.row.delivery.id, eventId: o.row.event.id });
    metrics.breakerTransitions.inc({ to });
    if (to === 'open') log.warn({ breakerFrom: from, breakerTo: to }, 'circuit breaker opened: deliveries wait in the table until the probe');
    else log.info({ breakerFrom: from, breakerTo: to }, 'circuit breaker closed');
  }
}

/**
 * Records finished attempts in one transaction, set-based (one statement per kind of write, not
 * per attempt): attempt rows, delivery status, breakers, backlog flags, window refills, and the
 * jobs' completion. Attempts already recorded (a re-run after a lease expired) are skipped.
 *
 * `synchronous_commit = off` here only: if PostgreSQL itself crashes within its WAL writer delay,
 * the last outcomes may be lost with their jobs' completion, and those attempts are simply made
 * again (same webhook-id), which at-least-once allows. Accepting events stays fully durable.
 */
export async function recordOutcomes(ctx: Ctx, outcomes: Outcome[], staleJobIds: string[] = []): Promise<void> {
  const breakers = new Map<string, { from: BreakerState; to: BreakerState }>();
  const recordedOutcomes = await ctx.db.transaction(async (tx) => {
    const raw = rawClient(tx);
    await raw`set local synchronous_commit = off`;
    const recorded = outcomes.length ? await insertAttempts(tx, outcomes) : [];
    if (recorded.length) {
      await updateDeliveries(ctx, tx, recorded);
      const bySub = new Map<string, Outcome[]>();
      for (const o of recorded) bySub.set(o.row.sub.id, [...(bySub.get(o.row.sub.id) ?? []), o]);
      // Sorted so that concurrent batches lock subscriptions in the same order (no deadlocks).
      for (const subId of [...bySub.keys()].sort()) {
        const list = bySub.get(subId)!;
        const gone = list.find((o) => o.decision.action === 'gone');
        if (gone) await disableGone(ctx, tx, gone);
        const sub = list[0]!.row.sub;
        const signals = list.map((o) => breakerSignal(o.result.outcome));
        // Healthy outcomes on a healthy breaker change nothing: no write on the hot path.
        if (signals.includes('unhealthy') || sub.breakerState !== 'closed' || sub.breakerFailures > 0) {
          let state: BreakerState = sub.breakerState;
          for (const signal of signals) state = (await updateBreaker(ctx, tx, subId, signal)) ?? state;
          if (state !== sub.breakerState && (state === 'open' || state === 'closed')) breakers.set(subId, { from: sub.breakerState, to: state });
        }
      }
      const retrying = [...new Set(recorded.filter((o) => o.decision.action === 'retry').map((o) => o.row.sub.id))];
      await flagBacklog(tx, retrying);
      // Window slots are free again: pull waiting deliveries in. (Without a backlog there is
      // nothing to pull; a backlog flagged meanwhile is the dispatcher's.)
      const refill = [...new Set(recorded.filter((o) => o.row.sub.backlog).map((o) => o.row.sub.id))];
      if (refill.length) await admit(ctx, tx, { subscriptionIds: refill, fast: true });
    }
    const jobIds = [...outcomes.map((o) => o.job.id), ...staleJobIds];
    if (jobIds.length) await ctx.boss.complete(catalog.deliver.name, jobIds, null, { db: bossDb(tx) });
    return recorded;
  });
  reportOutcomes(ctx, outcomes, recordedOutcomes, breakers);
}

async function insertAttempts(tx: Tx, outcomes: Outcome[]): Promise<Outcome[]> {
  const inserted = await tx
    .insert(attempts)
    .values(
      outcomes.map(({ row, job, startedAt, headers, result, decision }) => {
        const { outcome } = result;
        const status = decision.action === 'succeeded' ? ('succeeded' as const) : ('failed' as const);
        return {
          id: newId('attempt', startedAt.getTime()),
          deliveryId: row.delivery.id,
          subscriptionId: row.sub.id,
          customerId: row.delivery.customerId,
          attemptSeq: job.data.attempt,
          trigger: triggerOf(row.delivery, job.data.attempt),
          status,
          url: row.sub.url,
          requestHeaders: headers,
          responseStatus: outcome.kind === 'response' ? outcome.status : null,
          responseHeaders: result.responseHeaders,
          responseBody: result.responseBody,
          errorClass: outcome.kind === 'error' ? outcome.errorClass : status === 'failed' ? 'http_status' : null,
          errorMessage: errorMessageOf(result, decision),
          latencyMs: result.latencyMs,
          startedAt,
          nextRetryAt: decision.action === 'retry' ? decision.at : null,
        };
      }),
    )
    .onConflictDoNothing({ target: [attempts.deliveryId, attempts.attemptSeq] })
    .returning({ deliveryId: attempts.deliveryId });
  const fresh = new Set(inserted.map((r) => r.deliveryId));
  return outcomes.filter((o) => fresh.has(o.row.delivery.id));
}

function errorMessageOf(result: SendResult, decision: Decision): string | null {
  if (result.outcome.kind === 'error') return result.outcome.message;
  return decision.action === 'succeeded' ? null : `HTTP ${result.outcome.status}`;
}

/** Moves every recorded delivery on, in one statement. */
async function updateDeliveries(ctx: Ctx, tx: Tx, recorded: Outcome[]): Promise<void> {
  const now = ctx.now().toISOString();
  const cols = {
    id: recorded.map((o) => o.row.delivery.id),
    status: recorded.map((o) => statusAfter(o.decision)),
    attempt: recorded.map((o) => String(o.job.data.attempt)),
    started: recorded.map((o) => o.startedAt.toISOString()),
    code: recorded.map((o) => (o.result.outcome.kind === 'response' ? String(o.result.outcome.status) : null)),
    error: recorded.map((o) => errorMessageOf(o.result, o.decision)),
    next: recorded.map((o) => (o.decision.action === 'retry' ? o.decision.at.toISOString() : null)),
    done: recorded.map((o) => (o.decision.action === 'succeeded' || o.decision.action === 'dead' ? 't' : 'f')),
  };
  // Every column travels as text[] and is cast in SQL: postgres.js (as Drizzle configures it)
  // passes timestamptz values through unserialised, which breaks timestamptz[] parameters.
  await rawClient(tx)`
    update deliveries d set
      status = v.status, attempt_count = v.attempt::int, last_attempt_at = v.started::timestamptz, last_response_status = v.code::int,
      last_error = v.error, next_attempt_at = v.next::timestamptz, queued_at = null, updated_at = ${now}::timestamptz,
      completed_at = case when v.done::bool then ${now}::timestamptz else null end
    from unnest(${cols.id}::text[], ${cols.status}::text[], ${cols.attempt}::text[], ${cols.started}::text[],
                ${cols.code}::text[], ${cols.error}::text[], ${cols.next}::text[], ${cols.done}::text[])
         as v(id, status, attempt, started, code, error, next, done)
    where d.id = v.id`;
}

/**
 * 410 Gone: the receiver asks us to stop. Disable the subscription and hold everything pending for
 * it (nothing is dropped: re-enabling releases the held deliveries).
 */
async function disableGone(ctx: Ctx, tx: Tx, o: Outcome): Promise<void> {
  const now = ctx.now();
  await tx
    .update(subscriptions)
    .set({ active: false, disabledReason: `endpoint answered 410 Gone at ${now.toISOString()}`, updatedAt: now })
    .where(eq(subscriptions.id, o.row.sub.id));
  await holdPending(ctx, tx, o.row.sub.id);
}

/**
 * What an outcome says about the endpoint's health: 2xx and ordinary 4xx (the endpoint answered;
 * the problem is the request) are healthy; timeouts, connection errors, 5xx and 429 are not.
 */
export function breakerSignal(outcome: SendResult['outcome']): 'healthy' | 'unhealthy' {
  if (outcome.kind === 'error') return outcome.errorClass === 'blocked_target' ? 'healthy' : 'unhealthy';
  if (outcome.status >= 500 || outcome.status === 429 || outcome.status === 408) return 'unhealthy';
  return 'healthy';
}

/**
 * Circuit breaker per subscription: `breakerThreshold` consecutive unhealthy outcomes open it;
 * while open, the dispatcher admits nothing for it (deliveries wait, no attempt is spent) until
 * `breaker_probe_at`, when it admits one probe (half-open). A healthy probe closes it and the
 * backlog drains at the subscription's window and rate limit; an unhealthy one re-opens it with a
 * doubled cool-down (capped at 4 cool-downs).
 */
/** Returns the breaker's state after the update (null when nothing changed). */
async function updateBreaker(ctx: Ctx, tx: Tx, subscriptionId: string, signal: 'healthy' | 'unhealthy'): Promise<BreakerState | null> {
  const now = ctx.now();
  if (signal === 'healthy') {
    const changed = await tx
      .update(subscriptions)
      .set({ breakerState: 'closed', breakerFailures: 0, breakerOpenedAt: null, breakerProbeAt: null })
      .where(and(eq(subscriptions.id, subscriptionId), sql`(${subscriptions.breakerState} <> 'closed' or ${subscriptions.breakerFailures} <> 0)`))
      .returning({ id: subscriptions.id });
    return changed.length > 0 ? 'closed' : null;
  }
  // The cool-down is time of the retry schedule's kind: RETRY_TIME_SCALE compresses it too.
  const cooldown = ctx.config.breakerCooldownMs * ctx.config.retryTimeScale;
  const rows = await tx.execute<{ breaker_state: BreakerState }>(sql`
    update subscriptions set
      breaker_failures = breaker_failures + 1,
      breaker_state = case
        when breaker_state = 'half_open' then 'open'
        when breaker_state = 'closed' and breaker_failures + 1 >= ${ctx.config.breakerThreshold} then 'open'
        else breaker_state end,
      breaker_opened_at = case
        when breaker_state = 'closed' and breaker_failures + 1 >= ${ctx.config.breakerThreshold} then ${now.toISOString()}::timestamptz
        else breaker_opened_at end,
      breaker_probe_at = case
        when breaker_state = 'half_open' then ${now.toISOString()}::timestamptz + least(
          make_interval(secs => ${cooldown / 1000}::float8 * 4),
          greatest(make_interval(secs => ${cooldown / 1000}::float8), 2 * (${now.toISOString()}::timestamptz - coalesce(breaker_opened_at, ${now.toISOString()}::timestamptz))))
        when breaker_state = 'closed' and breaker_failures + 1 >= ${ctx.config.breakerThreshold} then ${now.toISOString()}::timestamptz + make_interval(secs => ${cooldown / 1000}::float8)
        else breaker_probe_at end,
      backlog = true
    where id = ${subscriptionId}
    returning breaker_state`);
  return rows[0]?.breaker_state ?? null;
}
