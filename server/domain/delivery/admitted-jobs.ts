import type { Queryable } from '../../db/client';
import { metrics } from '../../metrics';
import { enqueueMany } from '../../queue/boss';
import { DELIVER_JOB_MAX_ATTEMPTS, type JobPayload } from '../../queue/catalog';
import type { Ctx } from '../context';
import { admissionSpans } from './admission-spans';
import { endSpan } from '../../tracing-spans';
import { traceparentOf } from '../../tracing-context';
import { tracingOn } from '../../tracing';
import { type TraceContext } from '../../tracing-context';
import { type TraceSpan } from '../../tracing-spans';

/** A delivery just admitted into its subscription's window (its `queued_at` set), to get its job. */
export type AdmittedRow = {
  id: string;
  event_id: string;
  attempt_count: number;
  priority: number;
  subscription_id: string;
  customer_id: string;
  tier: string;
  probe: boolean;
};

/**
 * The jobs of deliveries admitted in the caller's transaction (their `queued_at` set there): one job
 * per customer and priority (split at DELIVER_JOB_MAX_ATTEMPTS), in the customer's group of the
 * deliver queue, with the admission spans when tracing is on.
 */
export async function enqueueAdmitted(
  ctx: Ctx,
  q: Queryable,
  rows: AdmittedRow[],
  path: 'fast' | 'dispatcher',
  startedAt: number,
  parents?: Map<string, TraceContext>,
): Promise<void> {
  if (rows.length === 0) return;
  metrics.deliveriesAdmitted.inc({ path }, rows.length);
  const spans = tracingOn()
    ? await admissionSpans(q, rows, startedAt, parents, (r) => (r.probe ? 'probe' : path))
    : null;
  await enqueueMany(ctx.boss, 'deliver', deliverJobs(rows, spans), q);
  spans?.forEach((s) => endSpan(s));
}

/** Admitted rows as deliver jobs: grouped by customer and priority, in admission order, at most DELIVER_JOB_MAX_ATTEMPTS each. */
export function deliverJobs(rows: AdmittedRow[], spans?: Array<TraceSpan | undefined> | null) {
  type Group = { customerId: string; tier: string; priority: number; deliveries: JobPayload<'deliver'>['deliveries'] };
  const toJob = (g: Group) => ({
    data: { customerId: g.customerId, deliveries: g.deliveries },
    priority: g.priority,
    group: { id: g.customerId, tier: g.tier },
  });
  const groups = new Map<string, Group>();
  const jobs: Array<ReturnType<typeof toJob>> = [];
  rows.forEach((r, i) => {
    const key = `${r.customer_id}|${r.priority}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { customerId: r.customer_id, tier: r.tier, priority: r.priority, deliveries: [] }));
    const traceparent = spans?.[i] && traceparentOf(spans[i]);
    g.deliveries.push({ id: r.id, attempt: r.attempt_count + 1, ...(traceparent && { traceparent }) });
    if (g.deliveries.length === DELIVER_JOB_MAX_ATTEMPTS) {
      jobs.push(toJob(g));
      groups.delete(key);
    }
  });
  for (const g of groups.values()) jobs.push(toJob(g));
  return jobs;
}
