import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A real worker process running worker/index.ts, for fault tests. It is started as
 * `node --import tsx worker/index.ts` rather than through the `tsx` command: that command runs the
 * script in a child process and relays signals, which gets in the way here (a SIGKILL to it orphans
 * the worker; a SIGTERM not acknowledged by the busy child within 30 ms becomes a SIGKILL).
 * It gets a process group of its own so that nothing it starts outlives a kill.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type WorkerProcess = {
  pid: number;
  /** Resolves once the worker logged that it started. */
  ready: Promise<void>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  alive(): boolean;
  output(): string;
  kill(signal: NodeJS.Signals): void;
};

export function spawnWorker(databaseUrl: string, env: Record<string, string> = {}): WorkerProcess {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'worker/index.ts'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      HOOKRELAY_SECRET_KEY: 'test-secret-key-0123456789abcdef',
      ALLOW_PRIVATE_TARGETS: 'true',
      DELIVERY_JOB_EXPIRE_SECONDS: '5',
      QUEUE_SUPERVISE_SECONDS: '1',
      // info, not warn: the "worker started" line is the readiness signal (attempts are not logged).
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      ...env,
    },
  });
  let out = '';
  let exitCode: number | null | undefined;
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const collect = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.includes('"msg":"worker started"')) onReady();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  return {
    pid: child.pid!,
    ready: Promise.race([ready, exited.then((code) => Promise.reject(new Error(`worker exited (${code}) before it started:\n${out}`)))]),
    exited,
    alive: () => exitCode === undefined,
    output: () => out,
    kill(signal) {
      if (exitCode !== undefined) return;
      try {
        process.kill(-child.pid!, signal); // the whole group
      } catch {
        // already gone
      }
    },
  };
}

/** SIGTERM (graceful drain), then SIGKILL if it has not exited within `ms`. Returns the exit code. */
export async function stopWorker(w: WorkerProcess, ms = 30_000): Promise<number | null> {
  if (!w.alive()) return w.exited;
  w.kill('SIGTERM');
  const timer = setTimeout(() => w.kill('SIGKILL'), ms);
  try {
    return await w.exited;
  } finally {
    clearTimeout(timer);
  }
}
