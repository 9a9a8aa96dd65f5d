import { and, eq, sql } from 'drizzle-orm';
import { subscriptions } from '../../../drizzle/schema';
import type { Tx } from '../../db/client';
import { systemScope, type Ctx } from '../context';
import { recordAudit } from '../audit/log';
import type { Outcome } from './outcome';
import { disableSubscription } from './holds';
import { plural } from '../wording';
import { isPlatformCustomer } from '../platform-customer';

/**
 * Auto-disable (as Svix does): a subscription whose attempts have all failed for
 * `autoDisableAfterHours` (the subscription's own, else the deployment's AUTO_DISABLE_AFTER_HOURS,
 * 120 by default; 0 on the row means never), scaled by RETRY_TIME_SCALE like every retry delay, is
 * disabled: its pending deliveries are held (nothing is dropped), `disabledReason` says why, and
 * re-enabling it releases them. "Failing since" is the first failed attempt after the last success;
 * a success clears it, and so does a resume or a new URL (subscriptions.ts). Checked where attempts
 * are recorded, in their transaction: it takes a failed attempt past the deadline to disable, so a
 * subscription that merely received no traffic is left alone.
 */

/** The hours a subscription may fail for before it is disabled, or null for never. */
export function autoDisableHours(ctx: Ctx, override: number | null): number | null {
  if (override === 0) return null;
  return override ?? ctx.config.autoDisableAfterHours;
}

/**
 * Updates the subscription's "failing since" from a batch of its recorded attempts (all of one
 * subscription, in the caller's transaction) and disables it once it has failed for too long.
 * Returns the reason when this disabled it.
 */
export async function trackFailures(ctx: Ctx, tx: Tx, list: readonly Outcome[]): Promise<string | null> {
  const sub = list[0]!.row.sub;
  const ordered = [...list].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  const lastSuccess = ordered.findLastIndex((o) => o.decision.action === 'succeeded');
  const failures = ordered.slice(lastSuccess + 1);
  if (failures.length === 0) {
    // Healthy and known healthy: no write on the hot path.
    if (sub.failingSince !== null)
      await tx
        .update(subscriptions)
        .set({ failingSince: null })
        .where(and(eq(subscriptions.id, sub.id), eq(subscriptions.customerId, sub.customerId)));
    return null;
  }
  const first = failures[0]!.startedAt.toISOString();
  // A success in this batch restarts the count at the first failure after it; otherwise an earlier
  // failure (as stored, under the row lock) stands.
  const [row] = await tx.execute<{
    failing_since: Date | string;
    auto_disable_after_hours: number | null;
    active: boolean;
  }>(sql`
    update subscriptions set failing_since = ${lastSuccess >= 0 ? sql`${first}::timestamptz` : sql`coalesce(failing_since, ${first}::timestamptz)`}
    where id = ${sub.id} and customer_id = ${sub.customerId}
    returning failing_since, auto_disable_after_hours, active`);
  if (!row?.active) return null;
  const hours = autoDisableHours(ctx, row.auto_disable_after_hours);
  if (hours === null) return null;
  const since = new Date(row.failing_since);
  const now = ctx.now();
  if (now.getTime() - since.getTime() < hours * 3600_000 * ctx.config.retryTimeScale) return null;
  const reason = `no attempt succeeded for ${plural(hours, 'hour')} (failing since ${since.toISOString()}): disabled automatically; fix the endpoint, then resume the subscription to send what is held`;
  return (await disableSubscription(ctx, tx, sub, reason)) ? reason : null;
}

/**
 * A subscription Hookrelay disabled on its own (410 Gone, or auto-disable) goes into the audit log
 * like any configuration change, in the same transaction, with actor `system` and the reason.
 */
export async function auditDisabled(
  ctx: Ctx,
  tx: Tx,
  sub: { id: string; customerId: string },
  reason: 'gone' | 'auto_disabled',
  message: string,
): Promise<void> {
  await recordAudit(ctx, tx, systemScope, {
    // An operational webhook's is the platform's own entry, like its other changes (operational/webhooks.ts).
    ...(isPlatformCustomer(sub.customerId)
      ? {
          customerId: null,
          action: 'operational_webhook.disabled',
          target: { kind: 'operational_webhook', id: sub.id },
        }
      : { customerId: sub.customerId, action: 'subscription.disabled', target: { kind: 'subscription', id: sub.id } }),
    before: { active: true },
    after: { active: false, disabledReason: message, cause: reason },
  });
}
