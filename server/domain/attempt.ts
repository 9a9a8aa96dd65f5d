import { and, eq, sql } from 'drizzle-orm';
import { attempts, customers, deliveries, events, subscriptions } from '../../drizzle/schema';
import type { AttemptTrigger } from '../../drizzle/schema';
import type { Tx } from '../db/client';
import { bossDb } from '../db/client';
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
  if (!row || row.delivery.status !== 'pending' || row.delivery.attemptCount !== job.data.attempt - 1 || row.delivery.queuedAt === null) {
    await ctx.boss.complete(catalog.deliver.name, job.id);
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
    return held ? 'held' : 'deferred';
  }
  const startedAt = ctx.now();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    ...signedHeaders(activeSecrets(ctx, row.sub), row.event.id, Math.floor(startedAt.getTime() / 1000), row.event.body),
  };
  const result = await sender.send(row.sub.url, headers, row.event.body, row.sub.timeoutMs);
  const decision = decide({
    outcome: result.outcome,
    attemptInCycle: job.data.attempt - row.delivery.cycleStart,
    cycleStartedAt: row.delivery.cycleStartedAt,
    policy: resolvePolicy(row.sub.retryPolicy),
    now: ctx.now(),
    random: ctx.random,
    timeScale: ctx.config.retryTimeScale,
  });
  await ctx.db.transaction(async (tx) => {
    const recorded = await recordAttempt(ctx, tx, row, job.data.attempt, startedAt, headers, result, decision);
    if (recorded) {
      const signal = breakerSignal(result.outcome);
      // Healthy outcome on a healthy breaker changes nothing: skip the write on the hot path.
      if (signal === 'unhealthy' || row.sub.breakerState !== 'closed' || row.sub.breakerFailures > 0) await updateBreaker(ctx, tx, row.sub.id, signal);
      // A window slot is free again: pull the subscription's next waiting delivery in. (Without a
      // backlog there is nothing to pull; a backlog flagged meanwhile is the dispatcher's.)
      if (row.sub.backlog) await admit(ctx, tx, { subscriptionIds: [row.sub.id], fast: true });
    }
    await ctx.boss.complete(catalog.deliver.name, job.id, null, { db: bossDb(tx) });
  });
  return 'sent';
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
async function updateBreaker(ctx: Ctx, tx: Tx, subscriptionId: string, signal: 'healthy' | 'unhealthy'): Promise<void> {
  const now = ctx.now();
  if (signal === 'healthy') {
    await tx
      .update(subscriptions)
      .set({ breakerState: 'closed', breakerFailures: 0, breakerOpenedAt: null, breakerProbeAt: null })
      .where(and(eq(subscriptions.id, subscriptionId), sql`(${subscriptions.breakerState} <> 'closed' or ${subscriptions.breakerFailures} <> 0)`));
    return;
  }
  const cooldown = ctx.config.breakerCooldownMs;
  await tx.execute(sql`
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
    where id = ${subscriptionId}`);
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
