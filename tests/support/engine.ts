import { asc, eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import { attempts, broadcasts, deliveries, events } from '../../drizzle/schema';
import type { DeliveryStatus } from '../../drizzle/schema';
import { platformScope, type Ctx } from '../../server/domain/context';
import { createSender, type Sender } from '../../server/domain/delivery/http-sender';
import { publishEvent } from '../../server/domain/events/publish';
import { createCustomer } from '../../server/domain/tenants/customers';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { createLogger } from '../../server/log';
import { startWorker } from '../../worker/worker';
import { createTestContext, type TestCtx } from './context';
import { createTestDatabase } from './db';
import { startReceiver, type Received, type Reply } from './receiver';

/**
 * The delivery engine for one integration test file: a fresh database, a test Ctx (real pg-boss)
 * with config overrides, and an in-process worker with a real HTTP sender. `receiver()` starts a
 * receiver that `stop()` closes.
 */
export type Engine = {
  ctx: TestCtx;
  url: string;
  sender: Sender;
  receiver(reply?: (req: Received, index: number) => Reply | Promise<Reply>): ReturnType<typeof startReceiver>;
  stop(): Promise<void>;
};

export async function startEngine(label: string, config: Partial<Ctx['config']> = {}): Promise<Engine> {
  const db = await createTestDatabase(label);
  const ctx = await createTestContext(db.url, config);
  const sender = createSender({ allowPrivate: ctx.config.allowPrivateTargets });
  const worker = await startWorker(ctx, sender, createLogger(`${label}-worker`));
  const receivers: Array<Awaited<ReturnType<typeof startReceiver>>> = [];
  return {
    ctx,
    url: db.url,
    sender,
    async receiver(reply) {
      const r = await startReceiver(reply);
      receivers.push(r);
      return r;
    },
    async stop() {
      await Promise.all(receivers.map((r) => r.close()));
      await worker.stop(2000);
      await sender.close();
      await ctx.close();
      await db.drop();
    },
  };
}

/** What a test may set on a subscription besides its customer and URL. */
type SubscriptionFields = Partial<Omit<Parameters<typeof createSubscription>[2], 'customerId' | 'url'>>;

/**
 * A new customer named `name` with one subscription to `url`, to every event type unless
 * `subscription` says otherwise.
 */
export async function subscribedCustomer(ctx: Ctx, name: string, url: string, subscription: SubscriptionFields = {}) {
  const customer = await createCustomer(ctx, platformScope, { name });
  const sub = await createSubscription(ctx, platformScope, {
    customerId: customer.id,
    url,
    eventTypes: ['*'],
    ...subscription,
  });
  return { customer, sub };
}

/**
 * A receiver of `engine` answering by `reply`, a new customer named `name` with one subscription to
 * the receiver's /hook (to every event type, unless `subscription` says otherwise), and `publish`,
 * which publishes an event for that customer.
 */
export async function subscribedReceiver(
  engine: Engine,
  name: string,
  reply?: Parameters<Engine['receiver']>[0],
  subscription: SubscriptionFields = {},
) {
  const r = await engine.receiver(reply);
  const { customer, sub } = await subscribedCustomer(engine.ctx, name, `${r.url}/hook`, subscription);
  const publish = (data: Record<string, unknown> = {}, type = 'charge.succeeded') =>
    publishEvent(engine.ctx, platformScope, { type, data, customerId: customer.id });
  return { r, customer, sub, publish };
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

/** Waits until an event (or, with `table` broadcasts, a broadcast) has been fanned out. */
export async function waitFannedOut(
  ctx: Ctx,
  eventId: string,
  table: typeof events | typeof broadcasts = events,
  timeout = 20_000,
) {
  await expect
    .poll(
      async () =>
        (await ctx.db.select({ at: table.fannedOutAt }).from(table).where(eq(table.id, eventId)))[0]?.at ?? null,
      { timeout },
    )
    .not.toBeNull();
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
