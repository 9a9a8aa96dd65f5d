/**
 * Summarises the CPU profiles written by `BENCH_PROFILE=1 pnpm bench perf`: for each process, the
 * functions with the most self time, grouped by package, so the table says where the time goes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { printTable } from './lib/table';

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number } };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const dir = process.argv[2] ?? 'bench/results/profiles';
for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const p = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const total = p.timeDeltas.reduce((a, b) => a + b, 0);
  const bucket = new Map<string, number>();
  p.samples.forEach((s, i) => {
    const f = byId.get(s)!.callFrame;
    const pkg =
      /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(f.url)?.[1] ??
      (f.url.includes('/work/') ? 'hookrelay' : f.url ? 'node' : 'native');
    const key = `${pkg}: ${f.functionName || '(anonymous)'}`;
    bucket.set(key, (bucket.get(key) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const rows = [...bucket.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([k, v]) => ({ 'self time': `${((v / total) * 100).toFixed(1)}%`, function: k }));
  printTable(`${file} (${Math.round(total / 1e6)} s sampled)`, rows);
}
