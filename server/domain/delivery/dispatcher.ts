import { rawClient } from '../../db/client';
import type { Ctx } from '../context';
import { admit } from './admission';
import { waiting } from './admission-sql';

const DISPATCH_LOCK = 0x686f6f6b; // 'hook': one dispatcher at a time across all workers

/**
 * One dispatcher tick: fills every backlogged subscription's window (rate limits and breaker probes
 * included), then clears the backlog flag of subscriptions with nothing left waiting. Returns the
 * number admitted, or null when another worker holds the dispatcher lock.
 */
export async function dispatchTick(ctx: Ctx): Promise<number | null> {
  return ctx.db.transaction(async (tx) => {
    const sql = rawClient(tx);
    const [lock] = await sql<{ ok: boolean }[]>`select pg_try_advisory_xact_lock(${DISPATCH_LOCK}) as ok`;
    if (!lock?.ok) return null;
    const admitted = await admit(ctx, tx, { fast: false, maxSubscriptions: 2000 });
    await sql`update subscriptions s set backlog = false where s.backlog and not ${waiting(sql)}`;
    return admitted.length;
  });
}
