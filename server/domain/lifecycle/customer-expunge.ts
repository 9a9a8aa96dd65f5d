import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import { customers, dataExpunges, events } from '../../../drizzle/schema';
import { rawClient } from '../../db/client';
import { enqueue } from '../../queue/boss';
import { recordAudit } from '../audit/log';
import type { Ctx, Scope } from '../context';
import { notFound } from '../errors';
import { newId } from '../ids';
import { requirePlatform } from '../tenants/customers';
import { enqueueRescrub, scrubEvents } from './expunge';

/**
 * `DELETE /customers/{id}/data`, for account closure: every stored payload of the customer is
 * expunged (expunge.ts: bodies, request and response headers and bodies; ids, types, times and
 * statuses stay) by one `customerExpunge` job, in batches of EXPUNGE_BATCH events, each batch one
 * transaction that also advances the progress (`total` / `expunged`). A second request while one
 * runs returns the running one. Events published after the job finishes are not covered: stop
 * publishing for the customer first (or delete it). Broadcasts stay in `broadcasts`: their content is
 * the platform's; the customer's copies are expunged.
 */
const EXPUNGE_BATCH = 500;

type Row = typeof dataExpunges.$inferSelect;

export function expungeView(r: Row) {
  return {
    id: r.id,
    customerId: r.customerId,
    status: r.status,
    total: r.total,
    expunged: r.expunged,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

export async function startCustomerExpunge(ctx: Ctx, scope: Scope, customerId: string) {
  requirePlatform(scope);
  const result = await ctx.db.transaction(async (tx) => {
    const [customer] = await tx.select({ id: customers.id }).from(customers).where(eq(customers.id, customerId));
    if (!customer) throw notFound('customer');
    // Serialise a customer's requests: two at once must not start two jobs.
    await rawClient(tx)`select pg_advisory_xact_lock(hashtext(${`expunge:${customerId}`}))`;
    const [running] = await tx
      .select()
      .from(dataExpunges)
      .where(and(eq(dataExpunges.customerId, customerId), eq(dataExpunges.status, 'running')));
    if (running) return { row: running, existing: true };
    const [{ total } = { total: 0 }] = await tx
      .select({ total: sql<number>`count(*)::int` })
      .from(events)
      .where(and(eq(events.customerId, customerId), isNull(events.expungedAt)));
    const now = ctx.now();
    const [row] = await tx
      .insert(dataExpunges)
      .values({
        id: newId('expunge', now.getTime()),
        customerId,
        total,
        status: 'running',
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await enqueue(ctx.boss, 'customerExpunge', { expungeId: row!.id, customerId }, {}, tx);
    await recordAudit(ctx, tx, scope, {
      customerId,
      action: 'customer.data_expunge_started',
      target: { kind: 'data_expunge', id: row!.id },
      after: { total },
    });
    return { row: row!, existing: false };
  });
  return { ...expungeView(result.row), existing: result.existing };
}

/** The customer's latest expunge with its progress (404 when it never had one). */
export async function getCustomerExpunge(ctx: Ctx, scope: Scope, customerId: string) {
  requirePlatform(scope);
  const [row] = await ctx.db
    .select()
    .from(dataExpunges)
    .where(eq(dataExpunges.customerId, customerId))
    .orderBy(desc(dataExpunges.id))
    .limit(1);
  if (!row) throw notFound('data expunge');
  return expungeView(row);
}

/**
 * The `customerExpunge` job: batches of EXPUNGE_BATCH not-yet-expunged events, oldest first, until
 * none is left. Resumable: after a crash the re-run job picks up what is still unexpunged.
 * Events whose deliveries had an attempt in flight get a second pass (expunge.ts).
 */
export async function runCustomerExpunge(ctx: Ctx, job: { expungeId: string; customerId: string }): Promise<void> {
  const { expungeId, customerId } = job;
  const log = ctx.log.child({ expungeId, customerId });
  for (;;) {
    const done = await ctx.db.transaction(async (tx) => {
      const [r] = await tx
        .select()
        .from(dataExpunges)
        .where(and(eq(dataExpunges.id, expungeId), eq(dataExpunges.customerId, customerId)))
        .for('update');
      if (!r || r.status !== 'running') return true;
      const ids = (
        await tx
          .select({ id: events.id })
          .from(events)
          .where(and(eq(events.customerId, customerId), isNull(events.expungedAt)))
          .orderBy(asc(events.id))
          .limit(EXPUNGE_BATCH)
      ).map((e) => e.id);
      const scrubbed = await scrubEvents(ctx, tx, customerId, ids);
      if (scrubbed.inFlight) await enqueueRescrub(ctx, tx, customerId, ids);
      const now = ctx.now();
      const last = ids.length < EXPUNGE_BATCH;
      await tx
        .update(dataExpunges)
        .set({
          expunged: r.expunged + ids.length,
          updatedAt: now,
          ...(last && { status: 'completed' as const, finishedAt: now }),
        })
        .where(and(eq(dataExpunges.id, expungeId), eq(dataExpunges.customerId, customerId)));
      return last;
    });
    if (done) break;
  }
  log.info('customer data expunge finished');
}
