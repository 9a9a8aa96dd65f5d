import { sql } from 'drizzle-orm';
import type { Ctx } from '../domain/context';
import { liveWorkers, READY_WITHIN_MS } from '../domain/upkeep/heartbeats';
import { catalog } from '../queue/catalog';
import { getWebRuntime } from '../web';
import { createLogger, type Logger } from '../log';

/**
 * `GET /api/health` (liveness: this process answers and reaches the database; one `select 1`) and
 * `GET /api/ready` (readiness: database, pg-boss schema and queues present, at least one worker
 * heartbeat within READY_WITHIN_MS). Both answer 200 when ok, 503 otherwise.
 *
 * They are public (load balancers call them without credentials), so the answer is only `ok` per
 * check: no error message (it would name hosts, users, versions), no worker count. Why a check
 * failed goes to this process's log, where the operator looks.
 */
type Check = { ok: boolean; detail?: string };
export type HealthReport = { ok: boolean; checks: Record<string, { ok: boolean }> };

const CHECK_TIMEOUT_MS = 3000;
let logger: Logger | undefined;

async function timed<T>(what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>(
        (_, reject) =>
          (timer = setTimeout(
            () => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)),
            CHECK_TIMEOUT_MS,
          )),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The web process's context; tests pass their own. */
export type CtxSource = () => Promise<Ctx>;
const webCtx: CtxSource = async () => (await getWebRuntime()).ctx;

async function runtimeCtx(checks: Record<string, Check>, source: CtxSource): Promise<Ctx | null> {
  try {
    return await timed('database connection', source());
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

/** The public answer: `ok` per check; the reasons of failed checks are logged, not answered. */
function report(what: string, checks: Record<string, Check>, ctx: Ctx | null): HealthReport {
  const failed = Object.entries(checks).filter(([, c]) => !c.ok);
  if (failed.length) {
    logger ??= ctx?.log ?? createLogger('health');
    logger.warn({ checks: Object.fromEntries(failed.map(([name, c]) => [name, c.detail])) }, `${what} check failed`);
  }
  return {
    ok: failed.length === 0,
    checks: Object.fromEntries(Object.entries(checks).map(([name, c]) => [name, { ok: c.ok }])),
  };
}

export async function checkHealth(source: CtxSource = webCtx): Promise<HealthReport> {
  const checks: Record<string, Check> = {};
  const ctx = await runtimeCtx(checks, source);
  if (ctx) checks.database = await databaseCheck(ctx);
  return report('health', checks, ctx);
}

export async function checkReady(source: CtxSource = webCtx): Promise<HealthReport> {
  const checks: Record<string, Check> = {};
  const ctx = await runtimeCtx(checks, source);
  if (!ctx) return report('readiness', checks, null);
  checks.database = await databaseCheck(ctx);
  if (!checks.database.ok) return report('readiness', checks, ctx);
  try {
    const queues = await timed('queue schema', ctx.boss.getQueues(Object.values(catalog).map((c) => c.name)));
    const missing = Object.values(catalog)
      .map((c) => c.name)
      .filter((n) => !queues.some((q) => q.name === n));
    checks.queue =
      missing.length === 0
        ? { ok: true }
        : { ok: false, detail: `queues missing: ${missing.join(', ')}; run pnpm db:migrate` };
  } catch (err) {
    checks.queue = { ok: false, detail: `${message(err)}; run pnpm db:migrate` };
  }
  try {
    const live = await timed('worker heartbeats', liveWorkers(ctx));
    checks.workers = live.some((w) => !w.stopping)
      ? { ok: true }
      : {
          ok: false,
          detail: `no worker heartbeat in the last ${READY_WITHIN_MS / 1000} s: start one with pnpm worker`,
        };
  } catch (err) {
    checks.workers = { ok: false, detail: `${message(err)}; run pnpm db:migrate` };
  }
  return report('readiness', checks, ctx);
}
