/**
 * `pnpm bench [perf|fairness|subscriptions|growth|citus|purge|event-list|engine]`: the benchmarks, printed as tables and saved under
 * bench/results/. With no argument, all of them. Each compares against ceilings or baselines measured in the same run.
 */
import { runCitus } from './citus';
import { runEngine } from './engine';
import { runEventList } from './event-list';
import { runFairness } from './fairness';
import { runGrowth } from './growth';
import { runPerf } from './perf';
import { runPurge } from './purge';
import { runSubscriptions } from './subscriptions';

const which = process.argv[2] ?? 'all';
if (!['all', 'perf', 'fairness', 'subscriptions', 'growth', 'citus', 'purge', 'event-list', 'engine'].includes(which)) {
  console.error(
    'usage: pnpm bench [perf|fairness|subscriptions|citus|growth [--rows 0,1000000,5000000]|purge [--deliveries 1000000]|event-list [--rows 5000000]|engine [--baseline DIR] [--rounds N] [--workers 1,2,4]]',
  );
  process.exit(2);
}
const defaults: Record<string, string> = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'http://127.0.0.1:3000',
  LOG_LEVEL: 'error',
};
for (const [k, v] of Object.entries(defaults)) process.env[k] ??= v;
if (which === 'all' || which === 'perf') await runPerf();
if (which === 'all' || which === 'fairness') await runFairness();
if (which === 'all' || which === 'subscriptions') await runSubscriptions();
if (which === 'all' || which === 'citus') await runCitus();
// Seeding 5 M rows takes minutes: run on its own, not in `all`.
if (which === 'growth') await runGrowth(process.argv.slice(3));
if (which === 'event-list') await runEventList(process.argv.slice(3));
// Paired with another tree (--baseline): run on its own, not in `all`.
if (which === 'engine') await runEngine(process.argv.slice(3));
if (which === 'all' || which === 'purge') await runPurge(process.argv.slice(3));
process.exit(0);
