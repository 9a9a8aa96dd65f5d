/** `pnpm bench perf`'s tables: PostgreSQL's cost per unit, and the product's figures against the ceilings. */
import type { ceilingHttp, ceilingPgBoss, ceilingPostgres } from './ceilings';
import { per, type Cost } from './cost';
import type { measureEndToEnd } from './perf-e2e';
import type { measureFanout } from './perf-fanout';
import type { measureLatency } from './perf-latency';
import type { measurePublishApi, measureScopes } from './perf-publish';
import { percentile, printTable } from './table';

/** The cost table: what PostgreSQL does per publish and per delivery (lib/cost.ts). */
function printCost(publish: Cost | null, delivery: Cost | null) {
  if (!publish || !delivery) {
    console.log(
      '\nCost table skipped: pg_stat_statements is not loaded on this server (the embedded bench server loads it).',
    );
    return;
  }
  printTable('PostgreSQL cost per unit (pg_stat_statements, pg_stat_database, pg_stat_wal deltas)', [
    {
      unit: 'publish (API, no subscriptions)',
      statements: per(publish.statementsPerUnit),
      rows: per(publish.rowsPerUnit),
      commits: per(publish.commitsPerUnit),
      'WAL bytes': per(publish.walBytesPerUnit),
    },
    {
      unit: 'delivery (end to end: 1/10 of a publish, fan-out, admission, attempt, record)',
      statements: per(delivery.statementsPerUnit),
      rows: per(delivery.rowsPerUnit),
      commits: per(delivery.commitsPerUnit),
      'WAL bytes': per(delivery.walBytesPerUnit),
    },
  ]);
  printTable(
    'Statements per delivery, most frequent first (end-to-end phase)',
    delivery.top.map((t) => ({
      statement: t.statement,
      calls: per(t.callsPerUnit),
      rows: per(t.rowsPerUnit),
      ms: per(t.msPerUnit),
    })),
  );
}

type PerfFigures = {
  http: Awaited<ReturnType<typeof ceilingHttp>>;
  pg: Awaited<ReturnType<typeof ceilingPostgres>>;
  boss: Awaited<ReturnType<typeof ceilingPgBoss>>;
  publishApi: Awaited<ReturnType<typeof measurePublishApi>>;
  e2e: Awaited<ReturnType<typeof measureEndToEnd>>;
  latency: Awaited<ReturnType<typeof measureLatency>>;
  fanout: Awaited<ReturnType<typeof measureFanout>>;
  scopes: Awaited<ReturnType<typeof measureScopes>>;
};

/** The cost tables, then the product's figures against the ceilings of the same run. */
export function printPerf(f: PerfFigures) {
  const { http, pg, boss } = f;
  const { ingest, health, batchEventsPerSecond, publishCost } = f.publishApi;
  const { pub, e2ePerSecond, drainedIn, deliveryCost, rss, attemptRows } = f.e2e;
  const { rate, sent, lat, latStages } = f.latency;
  const { fanRowsPerSecond, lastFan, fanT0 } = f.fanout;
  const { scoped, broadcast } = f.scopes;
  const ratio = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`;
  printCost(publishCost, deliveryCost);
  printTable('Hookrelay (same run)', [
    {
      figure: 'end-to-end deliveries/s (batch publish over HTTP → fan-out ×10 → signed POST → attempt row), 30 s',
      value: e2ePerSecond,
      ceiling: http.perSecond,
      ratio: ratio(e2ePerSecond, http.perSecond),
      target: '≥ 50%',
    },
    {
      figure: `publish → first attempt p50 ms (at ${rate} events/s over 20 customers, half the sustained single-publish rate; ${lat.length} of ${sent.size} arrived)`,
      value: percentile(lat, 50),
      ceiling: null,
      ratio: null,
      target: null,
    },
    { figure: 'publish → first attempt p95 ms', value: percentile(lat, 95), ceiling: null, ratio: null, target: null },
    {
      figure: 'publish → first attempt p99 ms',
      value: percentile(lat, 99),
      ceiling: null,
      ratio: null,
      target: '≤ 250',
    },
    {
      figure: 'fan-out: delivery rows/s (one event → 10,000 subscriptions)',
      value: fanRowsPerSecond,
      ceiling: pg.insertRowsPerSecond,
      ratio: fanRowsPerSecond ? ratio(fanRowsPerSecond, pg.insertRowsPerSecond) : null,
      target: '≥ 5,000/s',
    },
    {
      figure: 'fan-out: seconds to the last of 10,000 deliveries',
      value: (lastFan - fanT0) / 1000,
      ceiling: null,
      ratio: null,
      target: null,
    },
    {
      figure: 'publish API requests/s (no subscriptions, 32 clients)',
      value: ingest.perSecond,
      ceiling: boss.insertPerSecond,
      ratio: ratio(ingest.perSecond, boss.insertPerSecond),
      target: null,
    },
    { figure: 'publish API p99 ms', value: Math.round(ingest.p99 ?? 0), ceiling: null, ratio: null, target: null },
    {
      figure: 'publish API vs GET /api/health requests/s (same 32 clients)',
      value: ingest.perSecond,
      ceiling: health.perSecond,
      ratio: ratio(ingest.perSecond, health.perSecond),
      target: '≥ 50%',
    },
    {
      figure: 'broadcast publish events/s (to 20 customers × 10) vs customer-scoped (10 inline deliveries), 32 clients',
      value: broadcast.perSecond,
      ceiling: scoped.perSecond,
      ratio: ratio(broadcast.perSecond, scoped.perSecond),
      target: '≥ 100%',
    },
    {
      figure: 'batch publish events/s (100 per request, 8 clients) vs single publishes',
      value: batchEventsPerSecond,
      ceiling: ingest.perSecond,
      ratio: `${(batchEventsPerSecond / Math.max(1, ingest.perSecond)).toFixed(1)}×`,
      target: '≥ 10×',
    },
    { figure: 'RSS of web under load, MiB', value: rss.web, ceiling: null, ratio: null, target: null },
    { figure: 'RSS of worker under load, MiB', value: rss.worker, ceiling: null, ratio: null, target: null },
  ]);
  printTable(`publish → first attempt by stage, ms (at ${rate} events/s; bench/lib/stages.ts)`, [latStages]);
  console.log(
    `e2e: ${pub.perSecond} events/s published for 30 s (×10 deliveries each); the backlog drained ${drainedIn.toFixed(1)} s after publishing stopped; ${attemptRows?.n} attempt rows`,
  );
}
