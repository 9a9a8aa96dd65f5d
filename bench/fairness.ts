/**
 * `pnpm bench fairness`: the brief's two probing scenarios, with time compressed 10× (one
 * "minute" = 6 s of real time; response times, timeouts, retry delays and breaker cool-downs scaled
 * alike), against real worker processes, a real receiver process and PostgreSQL.
 *
 *  B. An endpoint goes from 100 ms to 30 s responses for 10 minutes, then back: per minute, its
 *     queue depth, dispatch rate, outcomes and breaker state, and the other customers' latency.
 *  A. "Replay all" on 10,000 dead letters: progress over time while another customer's live
 *     traffic flows; a second click; a too-early third click.
 *  C. 100,000 queued deliveries for one stuck customer: other customers' throughput with and
 *     without that backlog, and the same backlog as ready pg-boss jobs (what flow control avoids).
 */
import { benchContext } from './lib/context';
import { scenarioC } from './lib/fairness-backlog';
import { K } from './lib/fairness-load';
import { scenarioA } from './lib/fairness-replay-all';
import { scenarioB } from './lib/fairness-slow-endpoint';
import { benchServers, saveResult, sleep, startWorkerProcess } from './lib/harness';

export async function runFairness() {
  const { db, rx, stop } = await benchServers();
  const env = {
    RETRY_TIME_SCALE: String(1 / K),
    BREAKER_COOLDOWN_SECONDS: '30',
    CUSTOMER_MAX_IN_FLIGHT: '10',
    REPLAY_RATE_PER_SECOND: '200',
    WORKER_CONCURRENCY: '128',
  };
  const ctx = await benchContext(db.url, {
    retryTimeScale: 1 / K,
    breakerCooldownMs: 30_000,
    replayRatePerSecond: 200,
  });
  try {
    for (let i = 0; i < 2; i++) startWorkerProcess(db.url, env);
    await sleep(3000);
    console.log('Fairness benchmark: 2 worker processes, 1 receiver process, PostgreSQL on the same 2-core machine.');
    // BENCH_SCENARIOS=BAC (default) picks which scenarios run, e.g. BENCH_SCENARIOS=C.
    const which = process.env.BENCH_SCENARIOS ?? 'BAC';
    const b = which.includes('B') ? await scenarioB(ctx, rx) : null;
    const a = which.includes('A') ? await scenarioA(ctx, rx) : null;
    const c = which.includes('C') ? await scenarioC(ctx, rx, db.url) : null;
    const file = saveResult('fairness', { scenarioB: b, scenarioA: a, scenarioC: c });
    console.log(`\nresults written to ${file}`);
  } finally {
    await ctx.close();
    await stop();
  }
}
