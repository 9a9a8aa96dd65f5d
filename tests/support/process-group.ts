import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root, where the processes of the fault tests run. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A real process of the service, for fault tests. */
export type GroupProcess = {
  pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  alive(): boolean;
  output(): string;
  kill(signal: NodeJS.Signals): void;
};

/**
 * Runs `node <args>` in the repository with `env` on top of this process's environment, in a
 * process group of its own so that a signal to the group reaches everything it started (nothing
 * outlives a kill). `collect` gets everything it has written so far after each chunk of its output,
 * and returns what to keep of it.
 */
export function spawnGroup(
  args: string[],
  env: NodeJS.ProcessEnv,
  collect: (out: string) => string = (out) => out,
): GroupProcess {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let exitCode: number | null | undefined;
  const onOutput = (chunk: Buffer) => {
    out = collect(out + chunk.toString('utf8'));
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  return {
    pid: child.pid!,
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

/** SIGTERM, then SIGKILL if it has not exited within `ms`. Returns the exit code. */
export async function stopGroup(p: GroupProcess, ms: number): Promise<number | null> {
  if (!p.alive()) return p.exited;
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), ms);
  try {
    return await p.exited;
  } finally {
    clearTimeout(timer);
  }
}
