import { asc, eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import { attempts, deliveries } from '../../drizzle/schema';
import type { DeliveryStatus } from '../../drizzle/schema';
import type { Ctx } from '../../server/domain/context';
import { createSender, type Sender } from '../../server/domain/delivery/http-sender';
import { createLogger } from '../../server/log';
import { startWorker } from '../../worker/worker';
import { createTestContext, type TestCtx } from './context';
import { createTestDatabase } from './db';
import type { Received } from './receiver';

/**
 * The delivery engine for one integration test file: a fresh database, a test Ctx (real pg-boss)
 * with config overrides, and an in-process worker with a real HTTP sender.
 */
export type Engine = { ctx: TestCtx; url: string; sender: Sender; stop(): Promise<void> };

export async function startEngine(label: string, config: Partial<Ctx['config']> = {}): Promise<Engine> {
  const db = await createTestDatabase(label);
  const ctx = await createTestContext(db.url, config);
  const sender = createSender({ allowPrivate: ctx.config.allowPrivateTargets });
  const worker = await startWorker(ctx, sender, createLogger(`${label}-worker`));
  return {
    ctx,
    url: db.url,
    sender,
    async stop() {
      await worker.stop(2000);
      await sender.close();
      await ctx.close();
      await db.drop();
    },
  };
}

export async function deliveriesOf(ctx: Ctx, eventId: string) {
  return ctx.db.select().from(deliveries).where(eq(deliveries.eventId, eventId)).orderBy(asc(deliveries.id));
}

export async function attemptsOf(ctx: Ctx, deliveryId: string) {
  return ctx.db.select().from(attempts).where(eq(attempts.deliveryId, deliveryId)).orderBy(asc(attempts.attemptSeq));
}

export async function deliveryOf(ctx: Ctx, deliveryId: string) {
  const [row] = await ctx.db.select().from(deliveries).where(eq(deliveries.id, deliveryId));
  if (!row) throw new Error(`delivery ${deliveryId} not found`);
  return row;
}

/** Waits until the delivery reaches `status` (polling the database, not the clock). */
export async function waitForStatus(ctx: Ctx, deliveryId: string, status: DeliveryStatus, timeout = 30_000) {
  await expect.poll(async () => (await deliveryOf(ctx, deliveryId)).status, { timeout, interval: 50 }).toBe(status);
  return deliveryOf(ctx, deliveryId);
}

/** The only delivery of a customer-scoped event with one matching subscription. */
export async function onlyDelivery(ctx: Ctx, eventId: string) {
  const rows = await deliveriesOf(ctx, eventId);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

/**
 * Every request verifies with the `standardwebhooks` library under `secret`, and its webhook-id
 * is the event id in its body (the receiver's dedupe key).
 */
export function expectVerified(received: readonly Received[], secret: string) {
  const wh = new Webhook(secret);
  for (const r of received) {
    const payload = wh.verify(r.body, r.headers) as { id: string };
    expect(r.headers['webhook-id']).toBe(payload.id);
    expect(r.headers['content-type']).toBe('application/json');
  }
}

/** Milliseconds between consecutive requests. */
export function gaps(received: readonly Received[]): number[] {
  return received.slice(1).map((r, i) => r.at - received[i]!.at);
}
