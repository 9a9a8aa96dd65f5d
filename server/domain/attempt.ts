import { and, eq, sql } from 'drizzle-orm';
import { attempts, customers, deliveries, events, subscriptions } from '../../drizzle/schema';
import type { AttemptTrigger, BreakerState } from '../../drizzle/schema';
import type { Tx } from '../db/client';
import { bossDb } from '../db/client';
import type { Logger } from '../log';
import { metrics } from '../metrics';
import { catalog } from '../queue/catalog';
import type { Ctx } from './context';
import { decryptSecret } from './crypto';
import { admit, flagBacklog } from './dispatch';
import type { Sender, SendResult } from './http-sender';
import { newId } from './ids';
import { decide, resolvePolicy, type Decision } from './retry-policy';
import { signedHeaders } from './signing';

export const USER_AGENT = 'Hookrelay/0.1 (+https://github.com/hookrelay)';

export type DeliverJob = { id: string; data: { deliveryId: string; attempt: number } };

type Loaded = NonNullable<Awaited<ReturnType<typeof loadForAttempt>>>;

async function loadForAttempt(ctx: Ctx, deliveryId: string) {
  const [row] = await ctx.db
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
      },
      event: { id: events.id, body: events.body },
      tier: customers.tier,
    })
    .from(deliveries)
    .innerJoin(subscriptions, eq(subscriptions.id, deliveries.subscriptionId))
    .innerJoin(events, eq(events.id, deliveries.eventId))
    .innerJoin(customers, eq(customers.id, deliveries.customerId))
    .where(eq(deliveries.id, deliveryId));
  return row;
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

/**
 * Performs the attempt a `deliver` job stands for, then records it. Idempotent under crash-retry:
 * the job names the attempt number it performs, and a delivery that has moved past it (or is no
 * longer pending) makes the job a no-op. A worker killed mid-request leaves the delivery untouched,
 * so the re-run job sends again with the same webhook-id (at-least-once).
 * An open circuit breaker hands the delivery back to the table without spending an attempt.
 */
export async function performAttempt(ctx: Ctx, sender: Sender, job: DeliverJob): Promise<'sent' | 'stale' | 'held' | 'deferred'> {
  const row = await loadForAttempt(ctx, job.data.deliveryId);
  // Every line about this delivery carries its ids (and the job's), so one grep follows it.
  const log = ctx.log.child({
    deliveryId: job.data.deliveryId,
    attempt: job.data.attempt,
    jobId: job.id,
    ...(row && { eventId: row.event.id, customerId: row.delivery.customerId, subscriptionId: row.sub.id }),
  });
  if (!row || row.delivery.status !== 'pending' || row.delivery.attemptCount !== job.data.attempt - 1 || row.delivery.queuedAt === null) {
    await ctx.boss.complete(catalog.deliver.name, job.id);
    metrics.deliveryJobsSkipped.inc({ reason: 'stale' });
    log.debug({ status: row?.delivery.status ?? 'missing', attemptCount: row?.delivery.attemptCount }, 'stale deliver job: attempt already recorded or delivery no longer pending');
    return 'stale';
  }
  if (!row.sub.active || row.sub.breakerState === 'open') {
    const held = !row.sub.active;
    await ctx.db.transaction(async (tx) => {
      await tx
        .update(deliveries)
        .set({ status: held ? 'held' : 'pending', queuedAt: null, updatedAt: ctx.now() })
        .where(and(eq(deliveries.id, row.delivery.id), eq(deliveries.status, 'pending')));
      if (!held) await flagBacklog(tx, [row.sub.id]);
      await ctx.boss.complete(catalog.deliver.name, job.id, null, { db: bossDb(tx) });
    });
    metrics.deliveryJobsSkipped.inc({ reason: held ? 'held' : 'deferred' });
    log.debug(held ? 'subscription disabled: delivery held' : 'circuit breaker open: delivery handed back to the table without an attempt');
    return held ? 'held' : 'deferred';
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
  const { recorded, breaker } = await ctx.db.transaction(async (tx) => {
    const recorded = await recordAttempt(ctx, tx, row, job.data.attempt, startedAt, headers, result, decision);
    let breaker: BreakerState | null = null;
    if (recorded) {
      breaker = await updateBreaker(ctx, tx, row.sub.id, breakerSignal(result.outcome));
      // A window slot is free again: pull the subscription's next due delivery in.
      await admit(ctx, tx, { subscriptionIds: [row.sub.id], fast: true });
    }
    await ctx.boss.complete(catalog.deliver.name, job.id, null, { db: bossDb(tx) });
    return { recorded, breaker };
  });
  if (!recorded) {
    metrics.deliveryJobsSkipped.inc({ reason: 'stale' });
    log.info('attempt sent but already recorded by another worker (lease expired); not recorded twice');
    return 'sent';
  }
  metrics.deliveryAttempts.inc({ outcome: decision.action });
  logAttempt(log, result, decision);
  if (breaker && breaker !== row.sub.breakerState) logBreaker(log, row.sub.breakerState, breaker);
  return 'sent';
}

/** Result class for the latency histogram: status class, or the error class (timeout, connection, dns, tls...). */
function resultClass(outcome: SendResult['outcome']): string {
  return outcome.kind === 'response' ? `${Math.floor(outcome.status / 100)}xx` : outcome.errorClass;
}

function logAttempt(log: Logger, result: SendResult, decision: Decision): void {
  const o = result.outcome;
  const fields = { latencyMs: result.latencyMs, ...(o.kind === 'response' ? { status: o.status } : { errorClass: o.errorClass, error: o.message }) };
  switch (decision.action) {
    case 'succeeded':
      log.debug({ ...fields, outcome: 'succeeded' }, 'delivered');
      break;
    case 'retry':
      log.info({ ...fields, outcome: 'retry', nextAttemptAt: decision.at.toISOString() }, 'attempt failed; retry scheduled');
      break;
    case 'dead':
      log.warn({ ...fields, outcome: 'dead', reason: decision.reason }, 'delivery dead-lettered');
      break;
    case 'gone':
      log.warn({ ...fields, outcome: 'gone' }, 'endpoint answered 410 Gone: subscription disabled, its pending deliveries held');
      break;
  }
}

function logBreaker(log: Logger, from: BreakerState, to: BreakerState): void {
  if (to === 'open') {
    metrics.breakerOpened.inc({ to: 'open' });
    log.warn({ breakerFrom: from, breakerTo: to }, 'circuit breaker opened: deliveries wait in the table until the probe');
  } else if (to === 'closed') {
    metrics.breakerOpened.inc({ to: 'closed' });
    log.info({ breakerFrom: from, breakerTo: to }, 'circuit breaker closed');
  }
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
 * doubled cool-down (capped at 10 cool-downs).
 */
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
  const cooldown = ctx.config.breakerCooldownMs;
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
          make_interval(secs => ${cooldown / 1000}::float8 * 10),
          greatest(make_interval(secs => ${cooldown / 1000}::float8), 2 * (${now.toISOString()}::timestamptz - coalesce(breaker_opened_at, ${now.toISOString()}::timestamptz))))
        when breaker_state = 'closed' and breaker_failures + 1 >= ${ctx.config.breakerThreshold} then ${now.toISOString()}::timestamptz + make_interval(secs => ${cooldown / 1000}::float8)
        else breaker_probe_at end,
      backlog = true
    where id = ${subscriptionId}
    returning breaker_state`);
  return rows[0]?.breaker_state ?? null;
}

/**
 * Writes the attempt row and moves the delivery on, in the caller's transaction. Returns false when
 * this attempt was already recorded (another worker got there first after a lease expired).
 */
async function recordAttempt(
  ctx: Ctx,
  tx: Tx,
  row: Loaded,
  attemptSeq: number,
  startedAt: Date,
  requestHeaders: Record<string, string>,
  result: SendResult,
  decision: Decision,
): Promise<boolean> {
  const { outcome } = result;
  const status = decision.action === 'succeeded' ? 'succeeded' : 'failed';
  const errorMessage = outcome.kind === 'error' ? outcome.message : decision.action === 'succeeded' ? null : `HTTP ${outcome.status}`;
  const inserted = await tx
    .insert(attempts)
    .values({
      id: newId('attempt', startedAt.getTime()),
      deliveryId: row.delivery.id,
      subscriptionId: row.sub.id,
      customerId: row.delivery.customerId,
      attemptSeq,
      trigger: triggerOf(row.delivery, attemptSeq),
      status,
      url: row.sub.url,
      requestHeaders,
      responseStatus: outcome.kind === 'response' ? outcome.status : null,
      responseHeaders: result.responseHeaders,
      responseBody: result.responseBody,
      errorClass: outcome.kind === 'error' ? outcome.errorClass : status === 'failed' ? 'http_status' : null,
      errorMessage,
      latencyMs: result.latencyMs,
      startedAt,
      nextRetryAt: decision.action === 'retry' ? decision.at : null,
    })
    .onConflictDoNothing({ target: [attempts.deliveryId, attempts.attemptSeq] })
    .returning({ id: attempts.id });
  if (inserted.length === 0) return false;

  const now = ctx.now();
  const common = {
    attemptCount: attemptSeq,
    lastAttemptAt: startedAt,
    lastResponseStatus: outcome.kind === 'response' ? outcome.status : null,
    lastError: errorMessage,
    queuedAt: null,
    updatedAt: now,
  };
  switch (decision.action) {
    case 'succeeded':
      await tx.update(deliveries).set({ ...common, status: 'succeeded', nextAttemptAt: null, completedAt: now }).where(eq(deliveries.id, row.delivery.id));
      break;
    case 'retry':
      // Back to the table until due; the dispatcher admits it then (flagBacklog makes it look).
      await tx.update(deliveries).set({ ...common, status: 'pending', nextAttemptAt: decision.at }).where(eq(deliveries.id, row.delivery.id));
      await flagBacklog(tx, [row.sub.id]);
      break;
    case 'dead':
      await tx.update(deliveries).set({ ...common, status: 'dead', nextAttemptAt: null, completedAt: now }).where(eq(deliveries.id, row.delivery.id));
      break;
    case 'gone':
      // 410 Gone: the receiver asks us to stop. Disable the subscription and hold everything pending
      // for it (nothing is dropped: re-enabling releases the held deliveries).
      await tx.update(deliveries).set({ ...common, status: 'held', nextAttemptAt: null }).where(eq(deliveries.id, row.delivery.id));
      await tx
        .update(subscriptions)
        .set({ active: false, disabledReason: `endpoint answered 410 Gone at ${now.toISOString()}`, updatedAt: now })
        .where(eq(subscriptions.id, row.sub.id));
      await tx
        .update(deliveries)
        .set({ status: 'held', queuedAt: null, updatedAt: now })
        .where(and(eq(deliveries.subscriptionId, row.sub.id), eq(deliveries.status, 'pending'), sql`${deliveries.id} <> ${row.delivery.id}`));
      break;
  }
  return true;
}
