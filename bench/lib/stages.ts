import type { Sql } from 'postgres';
import { percentile } from './table';

/** Per published event: when its publish was sent, and when the publish returned (committed). */
export type Sent = Map<string, { at: number; committed: number }>;

/**
 * Where the time from publish to first attempt went, per event with one subscription, from the
 * database's own stamps: publish (sent → committed), commit → fetched (the deliver job's pg-boss
 * `started_on`), fetched → attempt (`attempts.started_at`: row loaded, request signed), attempt →
 * arrival (the receiver's clock; all on one machine). Each cell is "p50 / p95 / p99" in ms.
 */
export async function stageSplit(
  sql: Sql,
  sent: Sent,
  arrivedAt: (eventId: string) => number | undefined,
): Promise<Record<string, string | number>> {
  const ids = [...sent.keys()];
  const rows = await sql<Array<{ event_id: string; fetched: string; started: string }>>`
    select d.event_id, extract(epoch from j.started_on) * 1000 as fetched, extract(epoch from a.started_at) * 1000 as started
    from deliveries d
    join attempts a on a.delivery_id = d.id and a.customer_id = d.customer_id and a.attempt_seq = 1
    join pgboss.job j on j.name = 'deliver' and j.data->'deliveries' @> jsonb_build_array(jsonb_build_object('id', d.id, 'attempt', 1))
    where d.event_id = any(${ids}::text[])`;
  const stage = {
    publish: [] as number[],
    queued: [] as number[],
    loaded: [] as number[],
    sent: [] as number[],
    total: [] as number[],
  };
  for (const r of rows) {
    const s = sent.get(r.event_id)!;
    const arrived = arrivedAt(r.event_id);
    if (arrived === undefined) continue;
    stage.publish.push(s.committed - s.at);
    stage.queued.push(Number(r.fetched) - s.committed);
    stage.loaded.push(Number(r.started) - Number(r.fetched));
    stage.sent.push(arrived - Number(r.started));
    stage.total.push(arrived - s.at);
  }
  const fmt = (v: number[]) =>
    `${percentile(v, 50)?.toFixed(0)} / ${percentile(v, 95)?.toFixed(0)} / ${percentile(v, 99)?.toFixed(0)}`;
  return {
    events: ids.length,
    arrived: stage.total.length,
    'publish (p50/p95/p99 ms)': fmt(stage.publish),
    'commit → fetched': fmt(stage.queued),
    'fetched → attempt': fmt(stage.loaded),
    'attempt → arrival': fmt(stage.sent),
    total: fmt(stage.total),
  };
}
