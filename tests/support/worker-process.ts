import { spawnGroup, stopGroup, type GroupProcess } from './process-group';

/**
 * A real worker process running worker/index.ts, for fault tests. It is started as
 * `node --import tsx worker/index.ts` rather than through the `tsx` command: that command runs the
 * script in a child process and relays signals, which gets in the way here (a SIGKILL to it orphans
 * the worker; a SIGTERM not acknowledged by the busy child within 30 ms becomes a SIGKILL).
 * It gets a process group of its own so that nothing it starts outlives a kill.
 */
export type WorkerProcess = GroupProcess & {
  /** Resolves once the worker logged that it started. */
  ready: Promise<void>;
};

export function spawnWorker(databaseUrl: string, env: Record<string, string> = {}): WorkerProcess {
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const worker = spawnGroup(
    ['--import', 'tsx', 'worker/index.ts'],
    {
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
    (out) => {
      if (out.includes('"msg":"worker started"')) onReady();
      return out;
    },
  );
  return {
    ...worker,
    ready: Promise.race([
      ready,
      worker.exited.then((code) =>
        Promise.reject(new Error(`worker exited (${code}) before it started:\n${worker.output()}`)),
      ),
    ]),
  };
}

/** SIGTERM (graceful drain), then SIGKILL if it has not exited within `ms`. Returns the exit code. */
export function stopWorker(w: WorkerProcess, ms = 30_000): Promise<number | null> {
  return stopGroup(w, ms);
}
