import { rawClient, type Queryable } from '../../db/client';
import { contextFrom } from '../../tracing-context';
import { startAdmissionSpan, type AdmissionPath } from '../../tracing-spans';
import { type TraceContext } from '../../tracing-context';
import { type TraceSpan } from '../../tracing-spans';

/**
 * Tracing on: one admission span per admitted delivery, under `parents`' span for its event or else
 * under the event's publish, whose stored traceparent is read here (one query, only when tracing).
 */
export async function admissionSpans(
  q: Queryable,
  rows: Array<{
    id: string;
    event_id: string;
    attempt_count: number;
    subscription_id: string;
    customer_id: string;
    probe: boolean;
  }>,
  startedAt: number,
  parents: Map<string, TraceContext> | undefined,
  pathOf: (r: { probe: boolean }) => AdmissionPath,
): Promise<Array<TraceSpan | undefined>> {
  const stored = await eventTraceParents(
    q,
    rows.filter((r) => !parents?.has(r.event_id)).map((r) => r.event_id),
  );
  return rows.map((r) =>
    startAdmissionSpan(parents?.get(r.event_id) ?? contextFrom(stored.get(r.event_id)), startedAt, {
      deliveryId: r.id,
      eventId: r.event_id,
      subscriptionId: r.subscription_id,
      customerId: r.customer_id,
      attempt: r.attempt_count + 1,
      path: pathOf(r),
    }),
  );
}

/** The stored publish traceparent of each of `eventIds` that has one (tracing on only). */
export async function eventTraceParents(q: Queryable, eventIds: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(eventIds)];
  if (ids.length === 0) return new Map();
  const rows = await rawClient(q)<Array<{ id: string; trace_parent: string }>>`
    select id, trace_parent from events where id = any(${ids}::text[]) and trace_parent is not null`;
  return new Map(rows.map((r) => [r.id, r.trace_parent]));
}
