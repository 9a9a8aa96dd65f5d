import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { root, spawnGroup, stopGroup, type GroupProcess } from './process-group';

/**
 * A real web process (`next start` over the production build) for fault tests: its own process
 * group, so a SIGKILL takes down everything it started, and the environment the e2e server gives
 * the web process (scripts/e2e-server.ts), with API rate limits raised out of the way.
 */
const nextBin = path.join(root, 'node_modules/next/dist/bin/next');

export type WebProcess = GroupProcess & {
  port: number;
  url: string;
  /** Resolves once GET /api/health answers 200. */
  ready: Promise<void>;
};

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The newest modification time of the files the build is made from. */
function newestSource(): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) if (name !== 'node_modules') visit(path.join(p, name));
    } else if (!/\.test\.tsx?$/.test(p)) {
      newest = Math.max(newest, st.mtimeMs);
    }
  };
  for (const p of ['app', 'server', 'drizzle/schema', 'proxy.ts', 'next.config.ts', 'package.json'])
    visit(path.join(root, p));
  return newest;
}

/**
 * Makes sure `.next` holds a production build of the current sources: builds when there is none or
 * when a source file is newer than it. Test files running at once take turns (a lock directory), so
 * only one of them builds. Minutes when it builds; instant otherwise.
 */
export async function ensureWebBuild(): Promise<void> {
  const buildId = path.join(root, '.next/BUILD_ID');
  const fresh = () => existsSync(buildId) && statSync(buildId).mtimeMs >= newestSource();
  if (fresh()) return;
  mkdirSync(path.join(root, '.data'), { recursive: true });
  const lock = path.join(root, '.data/web-build.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      // Another test file builds; a lock whose owner died is taken over.
      let owner = 0;
      try {
        owner = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
      } catch {
        // being written
      }
      if (owner && !isAlive(owner)) rmSync(lock, { recursive: true, force: true });
      await sleep(1000);
    }
  }
  try {
    if (fresh()) return;
    const r = spawnSync(process.execPath, [nextBin, 'build'], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`next build failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const WEB_SECRET_KEY = 'test-secret-key-0123456789abcdef';

/** Starts `next start` on `port` (default: a free one) against `databaseUrl`. */
export async function spawnWeb(
  databaseUrl: string,
  env: Record<string, string> = {},
  port?: number,
): Promise<WebProcess> {
  const p = port ?? (await freePort());
  const web = spawnGroup(
    [nextBin, 'start', '-p', String(p), '-H', '127.0.0.1'],
    {
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      DATABASE_URL: databaseUrl,
      HOOKRELAY_SECRET_KEY: WEB_SECRET_KEY,
      AUTH_SECRET: 'fault-auth-secret-0123456789abcdef0123',
      ALLOW_PRIVATE_TARGETS: 'true',
      RETRY_TIME_SCALE: '0.01',
      METRICS_TOKEN: 'fault-metrics-token-0123456789abcdef',
      PUBLIC_URL: `http://127.0.0.1:${p}`,
      API_RATE_LIMIT_PER_SECOND: '100000',
      API_RATE_LIMIT_BURST: '100000',
      API_CUSTOMER_RATE_LIMIT_PER_SECOND: '100000',
      API_CUSTOMER_RATE_LIMIT_BURST: '100000',
      LOG_LEVEL: 'warn',
      LOG_PRETTY: 'false',
      ...env,
    },
    (out) => (out.length > 1_000_000 ? out.slice(-500_000) : out),
  );
  const url = `http://127.0.0.1:${p}`;
  const ready = (async () => {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (!web.alive())
        throw new Error(`web process exited (${await web.exited}) before it was ready:\n${web.output()}`);
      try {
        const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) });
        await res.body?.cancel();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    throw new Error(`web process not ready within 90 s:\n${web.output()}`);
  })();
  ready.catch(() => {}); // awaited by the caller
  return { ...web, port: p, url, ready };
}

/** SIGTERM, then SIGKILL if it has not exited within `ms`. */
export async function stopWeb(w: WebProcess, ms = 15_000): Promise<void> {
  await stopGroup(w, ms);
}
