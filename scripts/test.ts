/**
 * `pnpm test`: the whole suite, in order: a production build, unit + integration (vitest, real
 * PostgreSQL: DATABASE_URL's server or an embedded one; and the `citus` project on a local Citus
 * cluster when this machine's PostgreSQL has Citus), then end-to-end (Playwright, real Chromium).
 * Ends with one line `N passed, N failed` summed from the runners' own JSON reports.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { bin } from './lib/processes';
import { findCitus } from './lib/citus';

mkdirSync('test-results', { recursive: true });
let passed = 0;
let failed = 0;
const notes: string[] = [];

function run(label: string, command: string, args: string[], env: Record<string, string> = {}): number {
  console.log(`\n━━ ${label} ━━`);
  const r = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

// 1. Production build: the end-to-end tests and the integration tests that start a real web
// process (tests/fault/web-kill, pool-exhaustion) run against it.
const buildCode = run('build (next build)', bin('next'), ['build'], {
  NODE_ENV: 'production',
  NEXT_TELEMETRY_DISABLED: '1',
});
if (buildCode !== 0) {
  failed += 1;
  notes.push('next build failed; end-to-end tests skipped');
}

// 2. Unit and integration tests; the `citus` project runs only where Citus is installed (vitest.config.ts).
const citus = findCitus();
console.log(
  citus.ok
    ? `\nCitus suites: on, with ${citus.version} (${citus.bindir})`
    : `\nCitus suites: SKIPPED, Citus is not installed (${citus.reason}); ../shared/citus/install.sh or Citus's packages install it`,
);
if (!citus.ok) notes.push('the Citus suites were skipped: Citus is not installed');
rmSync('test-results/vitest.json', { force: true });
const vitestCode = run('unit + integration (vitest)', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=test-results/vitest.json',
]);
type FileResult = {
  status: string;
  name: string;
  assertionResults: Array<{ status: string; fullName: string; failureMessages?: string[] }>;
};
/** The head of a failure's message, without colours: enough to say why when only the log's tail is read. */
const whyItFailed = (messages: string[] | undefined) =>
  stripVTControlCharacters((messages ?? []).join('\n'))
    .split('\n')
    .slice(0, 40)
    .map((line) => `    ${line}`)
    .join('\n');
const vitest = readJson<{
  numPassedTests: number;
  numFailedTests: number;
  numTotalTestSuites: number;
  testResults: FileResult[];
}>('test-results/vitest.json');
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  // A file that failed without a failing test (it did not load, or a beforeAll hook threw and its
  // tests were skipped) is a failure too, whatever vitest's exit code says.
  const broken = vitest.testResults.filter(
    (f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'),
  );
  for (const f of broken) notes.push(`${path.relative(process.cwd(), f.name)} failed before its tests ran`);
  // Name every failed test again at the very end: a long log is often read from its tail only.
  for (const f of vitest.testResults) {
    for (const a of f.assertionResults.filter((t) => t.status === 'failed')) {
      notes.push(`failed: ${path.relative(process.cwd(), f.name)} > ${a.fullName}\n${whyItFailed(a.failureMessages)}`);
    }
  }
  failed += broken.length;
  if (vitestCode !== 0 && vitest.numFailedTests === 0 && broken.length === 0) failed += 1;
} else {
  failed += 1;
  notes.push('vitest produced no report');
}

type PwSuite = {
  title: string;
  file?: string;
  specs?: Array<{ title: string; tests: Array<{ status: string }> }>;
  suites?: PwSuite[];
};
function unexpectedSpecs(suites: PwSuite[], file = ''): string[] {
  return suites.flatMap((s) => {
    const where = s.file ?? file;
    const own = (s.specs ?? [])
      .filter((sp) => sp.tests.some((t) => t.status === 'unexpected'))
      .map((sp) => `${where} > ${sp.title}`);
    return [...own, ...unexpectedSpecs(s.suites ?? [], where)];
  });
}

if (buildCode === 0) {
  // 3. End-to-end tests in Chromium.
  rmSync('test-results/playwright.json', { force: true });
  const e2eCode = run('end-to-end (playwright)', bin('playwright'), ['test']);
  const pw = readJson<{
    stats: { expected: number; unexpected: number; flaky: number; skipped: number };
    suites: PwSuite[];
  }>('test-results/playwright.json');
  if (pw) {
    passed += pw.stats.expected + pw.stats.flaky;
    failed += pw.stats.unexpected;
    for (const name of unexpectedSpecs(pw.suites ?? [])) notes.push(`failed: ${name}`);
    if (e2eCode !== 0 && pw.stats.unexpected === 0) {
      failed += 1;
      notes.push('playwright exited with an error outside the tests');
    }
  } else {
    failed += 1;
    notes.push('playwright produced no report');
  }
}

for (const n of notes) console.log(`note: ${n}`);
if (!existsSync('test-results')) mkdirSync('test-results');
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
