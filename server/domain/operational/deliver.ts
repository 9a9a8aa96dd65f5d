import { and, eq } from 'drizzle-orm';
import { operationalDeliveries, operationalWebhooks } from '../../../drizzle/schema';
import { rawClient } from '../../db/client';
import { completeJobs, enqueue } from '../../queue/boss';
import type { Ctx } from '../context';
import { userAgent } from '../delivery/attempt';
import type { Sender } from '../delivery/http-sender';
import { decide, resolvePolicy } from '../delivery/retry-policy';
import { signedHeaders } from '../delivery/signing';
import { operationalSecrets } from './webhooks';

/**
 * One attempt of an operational delivery (the `operational-deliver` job): signed like a
 * subscription's `v1` delivery, sent by the same HTTP sender, and retried on the default schedule
 * (12 attempts over 24 h, jittered, scaled by RETRY_TIME_SCALE), each retry a job deferred to its
 * time. The job names its attempt number: a job whose attempt was already recorded (a crash-retry)
 * is a no-op. Recording the attempt, scheduling the next one and completing the job commit together.
 */
export const OPERATIONAL_TIMEOUT_MS = 15_000;

export type OperationalJob = { id: string; data: { deliveryId: string; attempt: number } };

export async function runOperationalDelivery(ctx: Ctx, sender: Sender, job: OperationalJob): Promise<'sent' | 'stale'> {
  const { deliveryId, attempt } = job.data;
  const [row] = await ctx.db
    .select({ d: operationalDeliveries, w: operationalWebhooks })
    .from(operationalDeliveries)
    .innerJoin(operationalWebhooks, eq(operationalWebhooks.id, operationalDeliveries.webhookId))
    .where(eq(operationalDeliveries.id, deliveryId));
  if (!row || row.d.status !== 'pending' || row.d.attemptCount !== attempt - 1) {
    await completeJobs(ctx.boss, 'operationalDeliver', [job.id]);
    return 'stale';
  }
  const startedAt = ctx.now();
  const headers = {
    'content-type': 'application/json',
    'user-agent': userAgent(ctx.config.publicUrl),
    ...signedHeaders(operationalSecrets(ctx, row.w), row.d.eventId, Math.floor(startedAt.getTime() / 1000), row.d.body),
  };
  const result = await sender.send(row.w.url, headers, row.d.body, OPERATIONAL_TIMEOUT_MS);
  const decision = decide({
    outcome: result.outcome,
    attemptInCycle: attempt,
    cycleStartedAt: row.d.createdAt,
    policy: resolvePolicy(null),
    now: ctx.now(),
    random: ctx.random,
    timeScale: ctx.config.retryTimeScale,
  });
  const r = result.outcome;
  const error = r.kind === 'error' ? r.message : decision.action === 'succeeded' ? null : `HTTP ${r.status}`;
  const now = ctx.now();
  const dead = decision.action === 'dead' || decision.action === 'gone';
  await ctx.db.transaction(async (tx) => {
    const moved = await tx
      .update(operationalDeliveries)
      .set({
        status: decision.action === 'succeeded' ? 'succeeded' : dead ? 'dead' : 'pending',
        attemptCount: attempt,
        lastAttemptAt: startedAt,
        lastResponseStatus: r.kind === 'response' ? r.status : null,
        lastError:
          decision.action === 'dead'
            ? `${error}; ${decision.reason}`
            : decision.action === 'gone'
              ? `${error}: endpoint answered 410 Gone, not retried`
              : error,
        nextAttemptAt: decision.action === 'retry' ? decision.at : null,
        completedAt: decision.action === 'retry' ? null : now,
      })
      .where(and(eq(operationalDeliveries.id, deliveryId), eq(operationalDeliveries.attemptCount, attempt - 1), eq(operationalDeliveries.status, 'pending')))
      .returning({ id: operationalDeliveries.id });
    if (moved.length > 0 && decision.action === 'retry') {
      await enqueue(ctx.boss, 'operationalDeliver', { deliveryId, attempt: attempt + 1 }, { startAfter: decision.at }, tx);
    }
    await completeJobs(ctx.boss, 'operationalDeliver', [job.id], tx);
  });
  const log = ctx.log.child({ operationalDeliveryId: deliveryId, operationalWebhookId: row.w.id, attempt, eventType: row.d.eventType });
  if (decision.action === 'retry') log.info({ error, nextAttemptAt: decision.at.toISOString() }, 'operational webhook attempt failed; retry scheduled');
  else if (dead) log.warn({ error }, 'operational delivery dead: the platform endpoint did not accept it');
  return 'sent';
}

/** Operational deliveries older than the retention window go (their webhook's history is bounded like events'). */
export async function purgeOperationalDeliveries(ctx: Ctx): Promise<number> {
  const cutoff = new Date(ctx.now().getTime() - ctx.config.retentionDays * 86400_000).toISOString();
  const r = await rawClient(ctx.db)`delete from operational_deliveries where created_at < ${cutoff}::timestamptz and status <> 'pending'`;
  return r.count;
}
