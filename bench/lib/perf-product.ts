/**
 * The product as `pnpm bench perf` measures it: the web app built and started as in production
 * (`next start`), one worker process, and a client of the publish API.
 */
import { existsSync } from 'node:fs';
import { Pool } from 'undici';
import { startProcess, startWorkerProcess, waitForHttp, workerEnv } from './harness';

export const DATA = { pad: 'x'.repeat(1024 - 120) }; // event data so the signed body is ~1 KiB
const WEB_PORT = 3190;

/** The web app is measured as in production: build it unless told a fresh build exists. */
export async function buildWebApp() {
  if (!existsSync('.next/BUILD_ID') || process.env.BENCH_SKIP_BUILD !== '1') {
    console.log('Running `next build` first (BENCH_SKIP_BUILD=1 skips it)…');
    const b = startProcess(
      'node_modules/.bin/next',
      ['build'],
      { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
      false,
    );
    const code = await new Promise<number | null>((r) => b.once('exit', r));
    if (code !== 0) throw new Error('next build failed');
  }
}

export type PerfClient = Awaited<ReturnType<typeof startProduct>>['client'];

/** Web (next start) + one worker process against `url`, and a client publishing with `key`. */
export async function startProduct(url: string, key: string) {
  // BENCH_PROFILE=1: CPU profiles of web and worker into bench/results/profiles (summarise with
  // `pnpm tsx bench/profile-summary.ts`).
  const profile: Record<string, string> =
    process.env.BENCH_PROFILE === '1' ? { NODE_OPTIONS: '--cpu-prof --cpu-prof-dir=bench/results/profiles' } : {};
  const web = startProcess(
    'node_modules/.bin/next',
    ['start', '-p', String(WEB_PORT), '-H', '127.0.0.1'],
    workerEnv(url, {
      PORT: String(WEB_PORT),
      API_RATE_LIMIT_PER_SECOND: '1000000',
      API_RATE_LIMIT_BURST: '1000000',
      ...profile,
    }),
  );
  const worker = startWorkerProcess(url, { WORKER_CONCURRENCY: '256', ...profile });
  await waitForHttp(`http://127.0.0.1:${WEB_PORT}/api/health`, 60_000);
  const api = new Pool(`http://127.0.0.1:${WEB_PORT}`, { connections: 32 });
  const publish = async (body: object) => {
    const res = await api.request({
      path: '/api/v1/events',
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.body.json()) as { id: string };
    if (res.statusCode !== 202) throw new Error(`publish answered ${res.statusCode}: ${JSON.stringify(json)}`);
    return json.id;
  };
  return { web, worker, client: { api, key, publish } };
}
