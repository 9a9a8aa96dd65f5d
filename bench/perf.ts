/**
 * `pnpm bench perf`: throughput, latency and fan-out of the whole product against ceilings
 * measured first, in the same run, on the same machine:
 *   1. raw HTTP: undici POSTs of the same signed 1 KiB body to the same receiver, same concurrency;
 *   2. raw PostgreSQL: batched inserts and a SKIP LOCKED claim loop on a deliveries-shaped table;
 *   3. pg-boss alone: insert, then fetch + complete of empty jobs.
 * Then ours: end-to-end deliveries/s (publish over HTTP → fan-out → signed POST → attempt row),
 * publish → first attempt latency at half that rate, a 10,000-subscription fan-out, publish API
 * requests/s, and the RSS of web and worker under load.
 */
import { platformScope } from '../server/domain/context';
import { createApiKey } from '../server/domain/tenants/api-keys';
import { createCustomer } from '../server/domain/tenants/customers';
import { benchContext } from './lib/context';
import { seedCustomers } from './lib/seed';
import { costProbe } from './lib/cost';
import { benchServers, saveResult } from './lib/harness';
import { percentile } from './lib/table';
import { ceilingHttp, ceilingPgBoss, ceilingPostgres, printCeilings } from './lib/ceilings';
import { buildWebApp, startProduct } from './lib/perf-product';
import { measurePublishApi, measureScopes } from './lib/perf-publish';
import { measureEndToEnd } from './lib/perf-e2e';
import { measureLatency } from './lib/perf-latency';
import { measureFanout } from './lib/perf-fanout';
import { printPerf } from './lib/perf-report';

export async function runPerf() {
  await buildWebApp();
  const { db, rx, stop } = await benchServers();
  const results: Record<string, unknown> = {};
  try {
    console.log('Performance benchmark on this machine: web, worker, receiver and PostgreSQL share its cores.');
    const http = await ceilingHttp(rx);
    const pg = await ceilingPostgres(db.url);
    const boss = await ceilingPgBoss(db.url);
    results.ceilings = { http, pg, boss };
    printCeilings(http, pg, boss);

    // Our product: web (next start) + one worker process.
    const ctx = await benchContext(db.url);
    const key = (await createApiKey(ctx, null, 'bench')).key;
    const { web, worker, client } = await startProduct(db.url, key);

    // Publish API alone: a customer with no subscriptions (ingest only).
    const quiet = await createCustomer(ctx, platformScope, { name: 'No subscriptions' });
    const probe = await costProbe(db.url);
    const publishApi = await measurePublishApi(client, quiet, probe);

    // End to end: 20 customers × 10 subscriptions; each event fans out to its customer's 10.
    const customers = await seedCustomers(ctx, `${rx.url}/ok`);
    let i = 0;
    const nextCustomer = () => customers[i++ % customers.length];
    const e2e = await measureEndToEnd(ctx, rx, client, probe, nextCustomer, { web, worker });
    const latency = await measureLatency(ctx, rx, client, publishApi.ingest);
    const fanout = await measureFanout(ctx, rx, client);
    const scopes = await measureScopes(client, nextCustomer);
    // Last of all: their deliveries (200 per broadcast) are left to drain after the measurements.

    await client.api.close();
    await ctx.close();
    const { ingest, health, batched, batchEventsPerSecond, publishCost } = publishApi;
    const { pub, e2ePerSecond, drainedIn, deliveryCost, rss, attemptRows } = e2e;
    const { rate, lat, latStages } = latency;
    const { fanRowsPerSecond, fanArrivals, lastFan, fanT0 } = fanout;
    const { scoped, broadcast } = scopes;
    results.ours = {
      ingest,
      health,
      publishScoped: scoped,
      publishBroadcast: broadcast,
      batch: { requestsPerSecond: batched.perSecond, eventsPerSecond: batchEventsPerSecond, p99: batched.p99 },
      e2e: {
        publishPerSecond: pub.perSecond,
        deliveriesPerSecond: e2ePerSecond,
        drainedIn,
        attemptRows: attemptRows?.n,
      },
      latency: {
        rate,
        n: lat.length,
        p50: percentile(lat, 50),
        p95: percentile(lat, 95),
        p99: percentile(lat, 99),
        stages: latStages,
      },
      fanout: {
        rowsPerSecond: fanRowsPerSecond,
        delivered: fanArrivals.length,
        lastDeliveryS: (lastFan - fanT0) / 1000,
      },
      rss,
      cost: { publish: publishCost, delivery: deliveryCost },
    };
    printPerf({ http, pg, boss, publishApi, e2e, latency, fanout, scopes });
  } finally {
    await stop();
  }
  console.log(`results written to ${saveResult('perf', results)}`);
}
