import { spawn, type ChildProcess } from 'node:child_process';

/** Starts a child with a coloured name prefix on each output line; `stopAll` ends them (SIGTERM, then SIGKILL). */
const children: Array<{ name: string; proc: ChildProcess }> = [];

export function startChild(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  color = 36,
): ChildProcess {
  const proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `\x1b[${color}m${name.padEnd(6)}\x1b[0m │ `;
  const pipe = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) => {
    let buf = '';
    stream?.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) out.write(prefix + line + '\n');
    });
  };
  pipe(proc.stdout, process.stdout);
  pipe(proc.stderr, process.stderr);
  children.push({ name, proc });
  return proc;
}

export async function stopAll(timeoutMs = 25_000): Promise<void> {
  await Promise.all(
    children.map(
      ({ proc }) =>
        new Promise<void>((resolve) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
          const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
          proc.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
          proc.kill('SIGTERM');
        }),
    ),
  );
}

export const bin = (name: string) => `node_modules/.bin/${name}`;
