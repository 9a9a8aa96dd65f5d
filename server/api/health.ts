import { sql } from 'drizzle-orm';
import { getWebRuntime } from '../web';

/** Liveness of what the web process depends on: the database and the queue schema. */
export async function checkHealth() {
  const checks: Record<string, { ok: boolean; detail?: string }> = {};
  try {
    const { ctx } = await getWebRuntime();
    await ctx.db.execute(sql`select 1`);
    checks.database = { ok: true };
    const q = await ctx.boss.getQueue('deliver');
    checks.queue = q ? { ok: true } : { ok: false, detail: 'deliver queue missing: run pnpm db:migrate' };
  } catch (err) {
    checks.database = { ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
  return { ok: Object.values(checks).every((c) => c.ok), checks };
}
