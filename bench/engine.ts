/**
 * `pnpm bench engine [--baseline DIR] [--rounds N] [--workers 1,2,4] [--lanes K] [--transform]`: the delivery engine end to end,
 * paired. Each code tree (this checkout, and a worktree of an earlier commit given with --baseline,
 * built with `next build` and installed) runs the same workload on its own fresh database of the
 * same embedded PostgreSQL, in alternating rounds: web (`next start`) and worker processes of that
 * tree, 20 customers × 10 subscriptions seeded through its REST API, events published in batches of
 * 20 for 20 s (8 clients) so that publishing outruns delivering, then single events at a fixed
 * rate for the latency. Per tree: deliveries/s in the steady window, the cost per delivery
 * (statements, WAL records and bytes, PostgreSQL execution: lib/cost.ts), worker CPU per delivery
 * (from /proc, user + system), publish → first attempt p50/p99. Ceilings of the same run (signed
 * POSTs, batched INSERT, SKIP LOCKED claim) give the durable-delivery ceiling
 * 1 / (1/POST + 1/insert + 1/claim). `--lanes K` adds a third run of this tree with every event
 * published with one of K ordering keys (docs/ordering.md): the cost of ordering lanes, next to the
 * same tree without them. `--transform` adds a run of this tree whose subscriptions all carry a
 * small transformation (docs/transformations.md): the cost of the sandbox per attempt.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchDatabase, saveResult, startReceiverProcess, stopProcesses } from './lib/harness';
import { per, type Cost } from './lib/cost';
import { percentile, printTable } from './lib/table';
import { ceilingHttp, ceilingPostgres } from './lib/ceilings';

import { runTree, type RunResult, type Tree } from './lib/engine-round';

export async function runEngine(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      baseline: { type: 'string' },
      rounds: { type: 'string' },
      workers: { type: 'string' },
      lanes: { type: 'string' },
      transform: { type: 'boolean' },
    },
  });
  const trees: Tree[] = [
    ...(values.baseline
      ? [{ label: `baseline (${gitRef(values.baseline)})`, dir: path.resolve(values.baseline) }]
      : []),
    { label: `this tree (${gitRef('.')})`, dir: process.cwd() },
    ...(values.lanes
      ? [{ label: `this tree, ${values.lanes} ordering keys`, dir: process.cwd(), orderingKeys: Number(values.lanes) }]
      : []),
    ...(values.transform
      ? [{ label: 'this tree, every subscription transformed', dir: process.cwd(), transform: true }]
      : []),
  ];
  const rounds = Number(values.rounds ?? 2);
  const workerCounts = (values.workers ?? '1').split(',').map(Number);
  const db = await benchDatabase();
  const admin = new URL(db.url);
  admin.pathname = '/postgres';
  const rx = await startReceiverProcess();
  const results: RunResult[] = [];
  try {
    console.log(
      'Engine benchmark: web, worker(s), receiver and PostgreSQL share this machine; trees alternate round by round.',
    );
    const http = await ceilingHttp(rx);
    const pg = await ceilingPostgres(db.url);
    const durable = 1 / (1 / http.perSecond + 1 / pg.insertRowsPerSecond + 1 / pg.claimRowsPerSecond);
    printTable('Ceilings (same run)', [
      { ceiling: 'signed 1 KiB POST, 64 connections', 'per second': http.perSecond },
      { ceiling: 'batched INSERT rows', 'per second': pg.insertRowsPerSecond },
      { ceiling: 'SKIP LOCKED claim + update rows', 'per second': pg.claimRowsPerSecond },
      { ceiling: 'durable delivery 1/(1/POST + 1/insert + 1/claim)', 'per second': Math.round(durable) },
    ]);
    for (const workers of workerCounts)
      for (let r = 0; r < rounds; r++)
        for (const tree of trees) {
          const res = await runTree(tree, admin.toString(), r, rx, workers);
          results.push(res);
          console.log(
            `${res.tree}, ${workers} worker(s), round ${r + 1}: ${res.deliveriesPerSecond} deliveries/s, latency p50 ${res.latency.p50} ms p99 ${res.latency.p99} ms`,
          );
        }
    const median = (xs: Array<number | null>) =>
      percentile(
        xs.filter((x): x is number => x !== null),
        50,
      ) ?? 0;
    const rows = workerCounts.flatMap((workers) =>
      trees.map((t) => {
        const mine = results.filter((r) => r.tree === t.label && r.workers === workers);
        const cost = (f: (c: Cost) => number) => per(median(mine.flatMap((r) => (r.cost ? [f(r.cost)] : []))));
        const rate = median(mine.map((r) => r.deliveriesPerSecond));
        return {
          tree: t.label,
          workers,
          'deliveries/s': rate,
          runs: mine.map((r) => r.deliveriesPerSecond).join(' '),
          'publish + drain /s': median(mine.map((r) => r.throughputPerSecond)),
          'events published': median(mine.map((r) => r.published)),
          'of durable ceiling': per(rate / durable),
          statements: cost((c) => c.statementsPerUnit),
          'WAL records': cost((c) => c.walRecordsPerUnit),
          'WAL bytes': cost((c) => c.walBytesPerUnit),
          'PG exec ms': cost((c) => c.execMsPerUnit),
          'worker CPU ms': per(median(mine.map((r) => r.workerCpuMsPerDelivery))),
          'latency p50 ms': median(mine.map((r) => r.latency.p50)),
          'latency p99 ms': median(mine.map((r) => r.latency.p99)),
        };
      }),
    );
    printTable('Delivery engine, end to end, per delivery (medians over rounds)', rows);
    if (values.baseline)
      for (const workers of workerCounts) {
        const [old, cur] = rows.filter((r) => r.workers === workers);
        console.log(
          `\n${workers} worker(s): this tree / baseline = ${per(cur!['deliveries/s'] / old!['deliveries/s'])}× deliveries/s in the steady window, ` +
            `${per(cur!['publish + drain /s'] / old!['publish + drain /s'])}× over publish + drain`,
        );
      }
    const last = results.filter((r) => r.cost).at(-1);
    if (last?.cost)
      printTable(
        `Statements per delivery, most frequent first (${last.tree}, last round)`,
        last.cost.top.map((t) => ({
          statement: t.statement,
          calls: per(t.callsPerUnit),
          rows: per(t.rowsPerUnit),
          ms: per(t.msPerUnit),
        })),
      );
    saveResult('engine', { ceilings: { http, pg, durable }, results, rows });
  } finally {
    rx.stop();
    await stopProcesses();
    await db.stop();
  }
}

function gitRef(dir: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
  } catch {
    return dir;
  }
}
