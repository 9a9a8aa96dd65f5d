import { and, eq, sql } from 'drizzle-orm';
import { attempts, customers, deliveries, events, subscriptions } from '../../drizzle/schema';
import type { AttemptTrigger } from '../../drizzle/schema';
import type { Tx } from '../db/client';
import { bossDb } from '../db/client';
import { catalog } from '../queue/catalog';
import { enqueue } from '../queue/boss';
import type { Ctx } from './context';
import { decryptSecret } from './crypto';
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
 */
export async function performAttempt(ctx: Ctx, sender: Sender, job: DeliverJob): Promise<'sent' | 'stale' | 'held'> {
  const row = await loadForAttempt(ctx, job.data.deliveryId);
  if (!row || row.delivery.status !== 'pending' || row.delivery.attemptCount !== job.data.attempt - 1) {
    await ctx.boss.complete(catalog.deliver.name, job.id);
    return 'stale';
  }
  if (!row.sub.active) {
    // Re-read the subscription under a share lock: a re-enable that committed since we loaded it
    // would not release this delivery (it was not held yet), so holding it would strand it. Either the
    // re-enable committed first (we see it active and attempt now), or it waits for us and then
    // releases what we hold.
    const held = await ctx.db.transaction(async (tx) => {
      const [sub] = await tx.select({ active: subscriptions.active }).from(subscriptions).where(eq(subscriptions.id, row.sub.id)).for('share');
      if (sub?.active) return false;
      await tx.update(deliveries).set({ status: 'held', updatedAt: ctx.now() }).where(and(eq(deliveries.id, row.delivery.id), eq(deliveries.status, 'pending')));
      await ctx.boss.complete(catalog.deliver.name, job.id, null, { db: bossDb(tx) });
      return true;
    });
    if (!held) return performAttempt(ctx, sender, job);
    return 'held';
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
    if (recorded && decision.action === 'retry') {
      await enqueue(ctx.boss, 'deliver', { deliveryId: row.delivery.id, attempt: job.data.attempt + 1 }, { startAfter: decision.at, group: { id: row.delivery.customerId, tier: row.tier } }, tx);
    }
    await ctx.boss.complete(catalog.deliver.name, job.id, null, { db: bossDb(tx) });
  });
  return 'sent';
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
    updatedAt: now,
  };
  switch (decision.action) {
    case 'succeeded':
      await tx.update(deliveries).set({ ...common, status: 'succeeded', nextAttemptAt: null, completedAt: now }).where(eq(deliveries.id, row.delivery.id));
      break;
    case 'retry':
      await tx.update(deliveries).set({ ...common, status: 'pending', nextAttemptAt: decision.at }).where(eq(deliveries.id, row.delivery.id));
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
        .set({ status: 'held', updatedAt: now })
        .where(and(eq(deliveries.subscriptionId, row.sub.id), eq(deliveries.status, 'pending'), sql`${deliveries.id} <> ${row.delivery.id}`));
      break;
  }
  return true;
}
