import { rawClient, type Queryable } from '../../db/client';
import { metrics } from '../../metrics';
import { enqueueMany } from '../../queue/boss';
import type { Ctx } from '../context';
import { probeAdmitted } from './breaker';
import { admissionSpans } from './admission-spans';
import { deliverJobs } from './admitted-jobs';
import { laneCycleStart, laneHead } from './admission-sql';
import { endSpan } from '../../tracing-spans';
import { tracingOn } from '../../tracing';
import { type TraceContext } from '../../tracing-context';

/**
 * Admits one delivery now, past its subscription's open circuit breaker, as the breaker's probe
 * (half-open): a manual replay after the endpoint was fixed does not wait for the cool-down. Its
 * outcome closes the breaker (healthy) or re-opens it (unhealthy), like any probe.
 */
export async function admitProbe(
  ctx: Ctx,
  q: Queryable,
  delivery: { id: string; customerId: string },
  parent?: TraceContext,
): Promise<boolean> {
  const startedAt = tracingOn() ? Date.now() : 0;
  const sql = rawClient(q);
  const now = ctx.now().toISOString();
  const rows = await sql<
    Array<{
      id: string;
      event_id: string;
      attempt_count: number;
      priority: number;
      customer_id: string;
      tier: string;
      subscription_id: string;
    }>
  >`
    update deliveries d set queued_at = ${now}::timestamptz, cycle_started_at = ${laneCycleStart(sql, now)}
    from subscriptions s join customers c on c.id = s.customer_id
    where d.id = ${delivery.id} and d.customer_id = ${delivery.customerId} and s.id = d.subscription_id and s.customer_id = d.customer_id
      and s.active and d.status = 'pending' and d.queued_at is null and (d.ordering_key is null or ${laneHead(sql, 'd', delivery.customerId)})
    returning d.id, d.event_id, d.attempt_count, d.priority, d.customer_id, c.tier, d.subscription_id`;
  const r = rows[0];
  if (!r) return false;
  const spans = tracingOn()
    ? await admissionSpans(
        q,
        [{ ...r, probe: true }],
        startedAt,
        parent && new Map([[r.event_id, parent]]),
        () => 'probe',
      )
    : null;
  await enqueueMany(ctx.boss, 'deliver', deliverJobs([{ ...r, probe: true }], spans), q);
  spans?.forEach((s) => endSpan(s));
  await probeAdmitted(q, [{ id: r.subscription_id, customerId: r.customer_id }]);
  metrics.deliveriesAdmitted.inc({ path: 'probe' });
  return true;
}
