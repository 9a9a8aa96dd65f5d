import { sql } from 'drizzle-orm';
import type { Ctx } from '../domain/context';
import { liveWorkers, READY_WITHIN_MS } from '../domain/upkeep/workers';
import { catalog } from '../queue/catalog';
import { getWebRuntime } from '../web';

/**
 * `GET /api/health` (liveness: this process answers and reaches the database; one `select 1`) and
 * `GET /api/ready` (readiness: database, pg-boss schema and queues present, at least one worker
 * heartbeat within READY_WITHIN_MS). Both answer 200 when ok, 503 with the failing check otherwise.
 */
type Check = { ok: boolean; detail?: string };
export type HealthReport = { ok: boolean; checks: Record<string, Check> };

const CHECK_TIMEOUT_MS = 3000;

async function timed<T>(what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function runtimeCtx(checks: Record<string, Check>): Promise<Ctx | null> {
  try {
    return (await timed('database connection', getWebRuntime())).ctx;
  } catch (err) {
    checks.database = { ok: false, detail: message(err) };
    return null;
  }
}

async function databaseCheck(ctx: Ctx): Promise<Check> {
  try {
    await timed('database', ctx.db.execute(sql`select 1`));
    return { ok: true };
  } catch (err) {
    return { ok: false, detail: message(err) };
  }
}

const report = (checks: Record<string, Check>): HealthReport => ({ ok: Object.values(checks).every((c) => c.ok), checks });

export async function checkHealth(): Promise<HealthReport> {
  const checks: Record<string, Check> = {};
  const ctx = await runtimeCtx(checks);
  if (ctx) checks.database = await databaseCheck(ctx);
  return report(checks);
}

export async function checkReady(): Promise<HealthReport & { workers: number }> {
  const checks: Record<string, Check> = {};
  const ctx = await runtimeCtx(checks);
  if (!ctx) return { ...report(checks), workers: 0 };
  checks.database = await databaseCheck(ctx);
  if (!checks.database.ok) return { ...report(checks), workers: 0 };
  try {
    const queues = await timed('queue schema', ctx.boss.getQueues(Object.values(catalog).map((c) => c.name)));
    const missing = Object.values(catalog)
      .map((c) => c.name)
      .filter((n) => !queues.some((q) => q.name === n));
    checks.queue = missing.length === 0 ? { ok: true } : { ok: false, detail: `queues missing: ${missing.join(', ')}; run pnpm db:migrate` };
  } catch (err) {
    checks.queue = { ok: false, detail: `${message(err)}; run pnpm db:migrate` };
  }
  let workers = 0;
  try {
    const live = await timed('worker heartbeats', liveWorkers(ctx));
    workers = live.filter((w) => !w.stopping).length;
    checks.workers =
      workers > 0
        ? { ok: true, detail: `${workers} worker(s) seen in the last ${READY_WITHIN_MS / 1000} s` }
        : { ok: false, detail: `no worker heartbeat in the last ${READY_WITHIN_MS / 1000} s: start one with pnpm worker` };
  } catch (err) {
    checks.workers = { ok: false, detail: `${message(err)}; run pnpm db:migrate` };
  }
  return { ...report(checks), workers };
}
