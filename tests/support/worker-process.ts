import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A real worker process for process-level tests, started exactly as `pnpm worker` does
 * (`node --import tsx worker/index.ts`): its own pools, pg-boss and signal handling. One process,
 * not the tsx CLI: the CLI relays SIGTERM and SIGKILLs its child when the child does not acknowledge
 * within 30 ms, which a busy worker on a loaded machine may not (seen: exit 143 mid-drain).
 * Its own process group, so `kill()` takes anything it spawned with it.
 */
export type WorkerProcess = {
  proc: ChildProcess;
  /** Resolves when the process has exited, with when it did. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Output lines so far (JSON log lines at the configured LOG_LEVEL). */
  lines: string[];
  /** Resolves with the first log line matching `test`. */
  waitForLine(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  terminate(): void;
  kill(): void;
};

export const WORKER_TEST_ENV = {
  HOOKRELAY_SECRET_KEY: 'test-secret-key-0123456789abcdef',
  ALLOW_PRIVATE_TARGETS: 'true',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'test',
  DELIVERY_JOB_EXPIRE_SECONDS: '10',
  QUEUE_SUPERVISE_SECONDS: '1',
  // Small pools: several of these share the machine's PostgreSQL with other test runs.
  DATABASE_POOL_MAX: '5',
  QUEUE_POOL_MAX: '3',
} as const;

export function spawnWorker(databaseUrl: string, env: Record<string, string> = {}): WorkerProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'worker/index.ts'], {
    env: { ...process.env, ...WORKER_TEST_ENV, DATABASE_URL: databaseUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  const watchers: Array<{ test: (l: string) => boolean; resolve: (l: string) => void }> = [];
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let buf = '';
    // Always drained: a full pipe would block the worker's logging and stall it.
    stream?.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        for (const w of [...watchers]) if (w.test(line)) { watchers.splice(watchers.indexOf(w), 1); w.resolve(line); }
      }
    });
  };
  collect(proc.stdout);
  collect(proc.stderr);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  return {
    proc,
    exited,
    lines,
    waitForLine(test, timeoutMs = 60_000) {
      const found = lines.find(test);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`worker ${proc.pid} printed no matching line in ${timeoutMs} ms; output:\n${lines.slice(-20).join('\n')}`)), timeoutMs);
        watchers.push({ test, resolve: (l) => { clearTimeout(t); resolve(l); } });
      });
    },
    terminate: () => void proc.kill('SIGTERM'),
    kill: () => {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}
