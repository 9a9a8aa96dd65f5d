import type { Json } from '../support/api';

/** The API fuzzer's results: its failures, grouped into classes, and the run's summary. */

export type Failure = {
  check: string;
  op: string;
  input: string;
  status: number;
  excerpt: string;
};

export type Stats = {
  seed: number;
  runs: number;
  requests: number;
  statuses: Map<number, number>;
  opsCovered: Set<string>;
  ops: number;
  fiveXx: number;
  /** Generated requests no HTTP client could send (skipped). */
  unsendable: number;
  refusedSkeletons: string[];
  failures: Failure[];
  ms: number;
};

type FailureClass = {
  check: string;
  count: number;
  statuses: Set<number>;
  ops: Set<string>;
  examples: Map<string, Failure>;
};

/** What tells two failures of one check apart: the operation family and the answer's message, ids and numbers taken out. */
function causeOf(f: Failure): string {
  let message = f.excerpt;
  try {
    const body: Json = JSON.parse(f.excerpt);
    const one = Array.isArray(body) ? body[0] : body;
    message = String(one?.error?.message ?? (one?.result ? 'ok' : f.excerpt));
  } catch {
    // An excerpt cut short: its first words will do.
  }
  return message
    .replace(/\b[a-z]{3}_[0-9A-Z]{26}\b/g, 'ID')
    .replace(/\d+/g, 'N')
    .slice(0, 120);
}

/** Failures grouped by check, each with one example per distinct cause (up to 10). */
function failureClasses(failures: Failure[]): FailureClass[] {
  const classes = new Map<string, FailureClass>();
  for (const f of failures) {
    const c = classes.get(f.check) ?? {
      check: f.check,
      count: 0,
      statuses: new Set<number>(),
      ops: new Set<string>(),
      examples: new Map<string, Failure>(),
    };
    c.count++;
    c.statuses.add(f.status);
    c.ops.add(f.op);
    const cause = causeOf(f);
    if (!c.examples.has(cause) && c.examples.size < 10) c.examples.set(cause, f);
    classes.set(f.check, c);
  }
  return [...classes.values()].sort((a, b) => b.count - a.count);
}

/** The failures found, one readable block per class: what to assert on at the end of a run. */
export function failureReport(failures: Failure[]): string {
  return failureClasses(failures)
    .map(
      (c) =>
        `✗ ${c.check} — ${c.count}× (status ${[...c.statuses].sort().join(', ')}) in ${c.ops.size} operation(s): ${[...c.ops].slice(0, 8).join('; ')}${c.ops.size > 8 ? '; …' : ''}\n` +
        [...c.examples.values()]
          .map((e) => `    e.g. ${e.op} with ${e.input} → ${e.status} ${e.excerpt.replace(/\s+/g, ' ').slice(0, 220)}`)
          .join('\n'),
    )
    .join('\n');
}

export function summary(s: Stats): string {
  const rows: [string, string][] = [
    ['seed', String(s.seed)],
    ['cases', String(s.runs)],
    ['requests sent', String(s.requests)],
    ['operations covered', `${s.opsCovered.size} of ${s.ops} (REST and tRPC)`],
    [
      'statuses',
      [...s.statuses.entries()]
        .sort(([a], [b]) => a - b)
        .map(([k, v]) => `${k}×${v}`)
        .join(' '),
    ],
    ['5xx answers', String(s.fiveXx)],
    ['unsendable (skipped)', String(s.unsendable)],
    ['failures', `${s.failures.length} in ${failureClasses(s.failures).length} classes`],
    ['valid skeletons refused', String(s.refusedSkeletons.length)],
    ['time', `${(s.ms / 1000).toFixed(1)} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return ['API fuzz run', ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}
