import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Process-local metrics in the Prometheus text exposition format (version 0.0.4).
 *
 * A hand-written registry rather than prom-client: we need counters, gauges and one histogram with
 * a few fixed labels, and the registry must be one object per process even when Next.js bundles this
 * module into several route chunks (it lives on globalThis). Domain code imports only this module
 * (no web code) and calls `metrics.<name>.inc(...)`; each process renders what it counted itself:
 * the worker its attempts, the web process its publishes and API errors (docs/operations.md).
 */
export type LabelValues = Record<string, string>;

type Family = { name: string; help: string; type: 'counter' | 'gauge' | 'histogram'; lines(): string[] };

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function formatLabels(labels: LabelValues): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(',')}}`;
}

const keyOf = (labelNames: readonly string[], labels: LabelValues) =>
  JSON.stringify(labelNames.map((n) => labels[n] ?? ''));

function pick<L extends string>(labelNames: readonly L[], labels: Partial<Record<L, string>>): LabelValues {
  const out: LabelValues = {};
  for (const n of labelNames) out[n] = labels[n] ?? '';
  return out;
}

export class Counter<L extends string = never> implements Family {
  readonly type = 'counter' as const;
  private readonly values = new Map<string, { labels: LabelValues; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[] = [],
    initial: Array<Partial<Record<L, string>>> = [],
  ) {
    // Known label combinations start at 0, so rate() works from the first scrape.
    for (const l of initial) this.inc(l, 0);
    if (labelNames.length === 0) this.inc({}, 0);
  }
  inc(labels: Partial<Record<L, string>> = {}, by = 1): void {
    const l = pick(this.labelNames, labels);
    const key = keyOf(this.labelNames, l);
    const slot = this.values.get(key);
    if (slot) slot.value += by;
    else this.values.set(key, { labels: l, value: by });
  }
  get(labels: Partial<Record<L, string>> = {}): number {
    return this.values.get(keyOf(this.labelNames, pick(this.labelNames, labels)))?.value ?? 0;
  }
  lines(): string[] {
    return [...this.values.values()].map((s) => `${this.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
}

/**
 * A gauge whose samples are set, or computed at render time by `collect`. With `type: 'counter'`
 * it exposes a monotonic value read from elsewhere (e.g. CPU seconds) as a counter.
 */
export class Gauge<L extends string = never> implements Family {
  private readonly values = new Map<string, { labels: LabelValues; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[] = [],
    private readonly collect?: (g: Gauge<L>) => void,
    readonly type: 'gauge' | 'counter' = 'gauge',
  ) {}
  set(labels: Partial<Record<L, string>>, value: number): void {
    const l = pick(this.labelNames, labels);
    this.values.set(keyOf(this.labelNames, l), { labels: l, value });
  }
  reset(): void {
    this.values.clear();
  }
  lines(): string[] {
    this.collect?.(this);
    return [...this.values.values()].map((s) => `${this.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
}

export class Histogram<L extends string = never> implements Family {
  readonly type = 'histogram' as const;
  private readonly series = new Map<string, { labels: LabelValues; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    private readonly labelNames: readonly L[] = [],
  ) {}
  observe(labels: Partial<Record<L, string>>, value: number): void {
    const l = pick(this.labelNames, labels);
    const key = keyOf(this.labelNames, l);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: l, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }
  lines(): string[] {
    const out: string[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) =>
        out.push(`${this.name}_bucket${formatLabels({ ...s.labels, le: formatValue(b) })} ${s.counts[i]}`),
      );
      out.push(`${this.name}_bucket${formatLabels({ ...s.labels, le: '+Inf' })} ${s.count}`);
      out.push(`${this.name}_sum${formatLabels(s.labels)} ${formatValue(s.sum)}`);
      out.push(`${this.name}_count${formatLabels(s.labels)} ${s.count}`);
    }
    return out;
  }
}

/** Renders metric families (this process's, plus any computed by the caller) as exposition text. */
export function renderFamilies(families: readonly Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`, ...f.lines());
  }
  return out.join('\n') + '\n';
}

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function processFamilies(): Family[] {
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  const started = Date.now() / 1000 - process.uptime();
  return [
    new Gauge('process_start_time_seconds', 'Start time of the process since the unix epoch, in seconds.', [], (g) =>
      g.set({}, Math.round(started)),
    ),
    new Gauge('process_resident_memory_bytes', 'Resident memory size, in bytes.', [], (g) =>
      g.set({}, process.memoryUsage.rss()),
    ),
    new Gauge('nodejs_heap_used_bytes', 'V8 heap in use, in bytes.', [], (g) =>
      g.set({}, process.memoryUsage().heapUsed),
    ),
    new Gauge(
      'process_cpu_seconds_total',
      'User and system CPU time spent, in seconds.',
      [],
      (g) => {
        const u = process.cpuUsage();
        g.set({}, (u.user + u.system) / 1e6);
      },
      'counter',
    ),
    new Gauge(
      'nodejs_eventloop_delay_p99_seconds',
      'Event loop delay, 99th percentile since the previous scrape, in seconds.',
      [],
      (g) => {
        g.set({}, loop.percentile(99) / 1e9);
        loop.reset();
      },
    ),
  ];
}

/** Latency buckets for HTTP attempts, in seconds: local receivers answer in ms, the timeout is 15 s. */
const ATTEMPT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30] as const;

function createMetrics() {
  const m = {
    deliveryAttempts: new Counter(
      'hookrelay_delivery_attempts_total',
      'Attempts performed by this worker, by what the retry policy decided: succeeded, retry, dead (dead-lettered), gone (410, subscription disabled).',
      ['outcome'],
      [{ outcome: 'succeeded' }, { outcome: 'retry' }, { outcome: 'dead' }, { outcome: 'gone' }],
    ),
    attemptDuration: new Histogram(
      'hookrelay_delivery_attempt_duration_seconds',
      'HTTP attempt latency as measured by this worker (connect to end of response excerpt), by result class.',
      ATTEMPT_BUCKETS,
      ['result'],
    ),
    deliveryJobsSkipped: new Counter(
      'hookrelay_delivery_jobs_skipped_total',
      'Deliver jobs that sent nothing: stale (attempt already recorded), deferred (breaker open), held (subscription disabled).',
      ['reason'],
      [{ reason: 'stale' }, { reason: 'deferred' }, { reason: 'held' }],
    ),
    deliveriesAdmitted: new Counter(
      'hookrelay_deliveries_admitted_total',
      'Deliveries admitted into their subscription window (a deliver job created), by path: fast (inline), dispatcher, or probe (a replay past an open breaker).',
      ['path'],
      [{ path: 'fast' }, { path: 'dispatcher' }, { path: 'probe' }],
    ),
    breakerTransitions: new Counter(
      'hookrelay_breaker_transitions_total',
      'Circuit breaker transitions observed by this process, by the state entered.',
      ['to'],
      [{ to: 'open' }, { to: 'closed' }],
    ),
    jobFailures: new Counter(
      'hookrelay_job_failures_total',
      'Jobs whose handler threw (handed back to pg-boss for a retry), by queue.',
      ['queue'],
    ),
    jobsHandedBack: new Counter(
      'hookrelay_jobs_handed_back_total',
      'Jobs still running at the shutdown deadline, failed back to pg-boss so another worker retries them.',
      ['queue'],
    ),
    eventsAccepted: new Counter(
      'hookrelay_events_accepted_total',
      'Events accepted by this process (durable with their fan-out), by scope: customer or broadcast.',
      ['scope'],
      [{ scope: 'customer' }, { scope: 'broadcast' }],
    ),
    eventsGroupCommitted: new Counter(
      'hookrelay_events_group_committed_total',
      'Of the accepted events, those accepted in one transaction with other concurrent publishes (group commit).',
    ),
    eventsBatched: new Counter(
      'hookrelay_events_batched_total',
      'Events submitted through POST /events/batch (accepted or refused item by item).',
    ),
    eventsDuplicate: new Counter(
      'hookrelay_events_duplicate_total',
      'Publishes answered with an earlier event because of a repeated idempotency key.',
    ),
    apiErrors: new Counter(
      'hookrelay_api_errors_total',
      'API requests answered with an error, by error code (REST and tRPC).',
      ['code'],
    ),
    workerInFlight: new Gauge('hookrelay_worker_in_flight', 'Jobs this worker holds right now, by queue.', ['queue']),
  };
  // Process families (and the event-loop monitor) start on the first scrape, not on import.
  let proc: Family[] | undefined;
  return { ...m, families: (): Family[] => [...Object.values(m), ...(proc ??= processFamilies())] };
}

type Metrics = ReturnType<typeof createMetrics>;

const holder = globalThis as unknown as { __hookrelayMetrics?: Metrics };

/** This process's metrics (one instance per process, whatever the bundler did to this module). */
export const metrics: Metrics = (holder.__hookrelayMetrics ??= createMetrics());

/** This process's metrics as exposition text, followed by `extra` families (e.g. database gauges). */
export function renderMetrics(extra: readonly Family[] = []): string {
  return renderFamilies([...metrics.families(), ...extra]);
}

export type { Family };
