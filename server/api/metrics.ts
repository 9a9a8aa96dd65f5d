import { timingSafeEqual } from 'node:crypto';
import type { Ctx } from '../domain/context';
import { DEPTH_CAP, readDatabaseGauges, type DatabaseGauges } from '../domain/insights/gauges';
import { env } from '../env';
import { CONTENT_TYPE, Gauge, renderMetrics, type Family } from '../metrics';
import { getWebRuntime } from '../web';

/**
 * `GET /api/metrics`: this web process's counters (events accepted, API errors by code, process
 * metrics) plus the database-derived gauges (queue depth, oldest due delivery per customer, breaker
 * states, bulk replays running, live workers, pg-boss queue counts), read at most once per
 * GAUGE_TTL_MS per process whatever the number of scrapers. Worker counters (attempts, latency) are
 * on each worker's own /metrics (WORKER_METRICS_PORT).
 *
 * The web app is usually public, and these gauges name customers: with METRICS_TOKEN set, a scrape
 * needs `Authorization: Bearer <METRICS_TOKEN>`; in production without it, /api/metrics answers 403.
 */
const GAUGE_TTL_MS = 5000;

let cache: { at: number; value: Promise<DatabaseGauges> } | undefined;

function cachedGauges(ctx: Ctx): Promise<DatabaseGauges> {
  const now = Date.now();
  if (!cache || now - cache.at > GAUGE_TTL_MS) {
    const value = readDatabaseGauges(ctx);
    cache = { at: now, value };
    // A failed read is not cached: the next scrape tries again.
    value.catch(() => {
      if (cache?.value === value) cache = undefined;
    });
  }
  return cache.value;
}

export function databaseFamilies(g: DatabaseGauges | null): Family[] {
  const up = new Gauge(
    'hookrelay_database_up',
    'Whether the last read of the database gauges succeeded (1) or not (0).',
  );
  up.set({}, g ? 1 : 0);
  if (!g) return [up];
  const depth = new Gauge(
    'hookrelay_deliveries',
    `Deliveries by state: pending (waiting in the table, incl. scheduled retries), queued (in a subscription window, job exists), held, dead. Capped at ${DEPTH_CAP}.`,
    ['state'],
  );
  for (const [state, n] of Object.entries(g.deliveries)) if (state !== 'due') depth.set({ state }, n);
  const due = new Gauge(
    'hookrelay_deliveries_due',
    `Pending deliveries whose time has come but that are not in a window yet (the backlog). Capped at ${DEPTH_CAP}.`,
  );
  due.set({}, g.deliveries.due);
  const oldest = new Gauge(
    'hookrelay_oldest_due_delivery_age_seconds',
    'Per customer (worst 20): seconds since the oldest undelivered, due delivery became due.',
    ['customer_id'],
  );
  for (const o of g.oldestDue) oldest.set({ customer_id: o.customerId }, o.ageSeconds);
  const oldestMax = new Gauge(
    'hookrelay_oldest_due_delivery_age_max_seconds',
    'Seconds since the oldest undelivered, due delivery of any customer became due (0 when none).',
  );
  oldestMax.set({}, g.oldestDue[0]?.ageSeconds ?? 0);
  const breakers = new Gauge('hookrelay_subscription_breakers', 'Active subscriptions by circuit-breaker state.', [
    'state',
  ]);
  for (const [state, n] of Object.entries(g.breakers)) breakers.set({ state }, n);
  const replays = new Gauge('hookrelay_bulk_replays_running', 'Bulk replays ("replay all") running.');
  replays.set({}, g.bulkReplaysRunning);
  const workers = new Gauge('hookrelay_workers', 'Worker processes with a heartbeat in the last 30 s, by state.', [
    'state',
  ]);
  workers.set({ state: 'running' }, g.workers.live - g.workers.stopping);
  workers.set({ state: 'stopping' }, g.workers.stopping);
  const inFlight = new Gauge('hookrelay_workers_in_flight', 'Jobs held by all live workers at their last heartbeat.');
  inFlight.set({}, g.workers.inFlight);
  const queue = new Gauge(
    'hookrelay_queue_jobs',
    'pg-boss jobs by queue and state (counts pg-boss refreshes every QUEUE_SUPERVISE_SECONDS).',
    ['queue', 'state'],
  );
  for (const q of g.queues)
    for (const state of ['ready', 'deferred', 'active', 'failed'] as const)
      queue.set({ queue: q.queue, state }, q[state]);
  return [up, depth, due, oldest, oldestMax, breakers, replays, workers, inFlight, queue];
}

function authorised(req: Request): Response | null {
  const { METRICS_TOKEN: token, NODE_ENV } = env();
  if (!token) {
    if (NODE_ENV !== 'production') return null;
    return new Response(
      'metrics are off: set METRICS_TOKEN and scrape with Authorization: Bearer <METRICS_TOKEN> (docs/operations.md)\n',
      { status: 403 },
    );
  }
  const given = /^Bearer\s+(\S+)$/i.exec(req.headers.get('authorization') ?? '')?.[1] ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  if (a.length === b.length && timingSafeEqual(a, b)) return null;
  return new Response('unauthorized: send Authorization: Bearer <METRICS_TOKEN>\n', {
    status: 401,
    headers: { 'www-authenticate': 'Bearer' },
  });
}

export async function metricsResponse(req: Request): Promise<Response> {
  const denied = authorised(req);
  if (denied) return denied;
  let gauges: DatabaseGauges | null = null;
  try {
    const { ctx } = await getWebRuntime();
    try {
      gauges = await cachedGauges(ctx);
    } catch (err) {
      ctx.log.warn({ err }, 'metrics: database gauges unavailable');
    }
  } catch {
    // No runtime (database down at start): process metrics still answer, with database_up 0.
  }
  return new Response(renderMetrics(databaseFamilies(gauges)), {
    headers: { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store' },
  });
}
