import { and, eq, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, events, subscriptions } from '../../drizzle/schema';
import { createTestDatabase } from '../../tests/support/db';
import { migrateUpTo } from '../../tests/support/migrations';
import { createTestContext, type TestCtx } from '../../tests/support/context';
import { startReceiver } from '../../tests/support/receiver';
import { createSender, type Sender } from '../domain/delivery/http-sender';
import { generateSecret } from '../domain/delivery/signing';
import { newId } from '../domain/ids';
import { decryptSecret, encryptSecret, sealedIn } from '../domain/crypto';
import { PLATFORM_CUSTOMER_ID } from '../domain/platform-customer';
import { createLogger } from '../log';
import { migrateDatabase } from '../migrate';
import { createBoss } from '../queue/boss';
import { startWorker, type RunningWorker } from '../../worker/worker';
import { createDatabase } from './client';

/**
 * Upgrading across `0026_one_engine` with operational webhooks and a pending operational delivery
 * in the old tables: the webhook becomes a subscription of the platform customer whose secret still
 * opens, the pending delivery waits in the deliveries table and is then sent by the one engine with
 * the webhook-id its earlier attempt carried, and the retired `operational-deliver` queue is gone.
 */
let db: { url: string; drop(): Promise<void> };
let ctx: TestCtx;
let sender: Sender;
let worker: RunningWorker | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const secret = generateSecret();
const hookId = newId('operationalWebhook');
const pending = { id: newId('operationalDelivery'), eventId: newId('operationalEvent') };
const finished = { id: newId('operationalDelivery'), eventId: newId('operationalEvent') };
const bodyOf = (eventId: string) =>
  JSON.stringify({
    id: eventId,
    type: 'delivery.dead',
    timestamp: new Date().toISOString(),
    data: { customerId: 'cus_x', subscriptionId: 'sub_x' },
  });

beforeAll(async () => {
  receiver = await startReceiver(() => ({ status: 204 }));
  db = await createTestDatabase('migration-0026', { migrate: false });
  await migrateUpTo(db.url, 24);
  ctx = await createTestContext(db.url, { retryTimeScale: 0.001 });
  const binding = { table: 'operational_webhooks' as const, id: hookId, column: 'secret' as const };
  const raw = createDatabase(db.url, { max: 1, applicationName: 'hookrelay-migrate-test' });
  try {
    await raw.sql`insert into operational_webhooks (id, url, event_types, secret_enc)
                  values (${hookId}, ${`${receiver.url}/ops`}, null, ${encryptSecret(ctx.keys, secret, binding)})`;
    // One delivery whose first attempt failed (its retry is due), one that succeeded long ago.
    await raw.sql`insert into operational_deliveries (id, webhook_id, event_id, event_type, body, status, attempt_count, next_attempt_at, last_attempt_at,
                                                      last_response_status, last_error)
                  values (${pending.id}, ${hookId}, ${pending.eventId}, 'delivery.dead', ${bodyOf(pending.eventId)}, 'pending', 1, now(), now(), 503, 'HTTP 503'),
                         (${finished.id}, ${hookId}, ${finished.eventId}, 'delivery.dead', ${bodyOf(finished.eventId)}, 'succeeded', 1, null, now(), 204, null)`;
  } finally {
    await raw.close();
  }
  // The previous release's queue, with a job still on it.
  const boss = createBoss(db.url, { role: 'migrate' });
  await boss.start();
  await boss.createQueue('operational-deliver');
  await boss.send('operational-deliver', { deliveryId: pending.id, attempt: 2 });
  await boss.stop({ graceful: false, close: true });

  await migrateDatabase(db.url);
  sender = createSender({ allowPrivate: true });
});

afterAll(async () => {
  await worker?.stop(2000);
  await sender?.close();
  await receiver?.close();
  await ctx?.close();
  await db?.drop();
});

describe('0026_one_engine on a database with operational webhooks', () => {
  it('makes each webhook a subscription of the platform customer, its secret still opening', async () => {
    const [sub] = await ctx.db.select().from(subscriptions).where(eq(subscriptions.id, hookId));
    expect(sub).toMatchObject({
      customerId: PLATFORM_CUSTOMER_ID,
      url: `${receiver.url}/ops`,
      eventTypes: ['*'],
      autoDisableAfterHours: 0,
      backlog: true,
    });
    expect(decryptSecret(ctx.keys, sub!.secretEnc, sealedIn.subscriptionSecret(hookId))).toBe(secret);
    const tables = await ctx.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pg_tables where tablename in ('operational_webhooks', 'operational_deliveries')`,
    );
    expect(tables[0]!.n).toBe(0);
  });

  it('moves what was pending into the deliveries table, and retires the old queue with its jobs', async () => {
    const moved = await ctx.db.select().from(deliveries).where(eq(deliveries.customerId, PLATFORM_CUSTOMER_ID));
    expect(moved).toEqual([
      expect.objectContaining({
        id: `dlv_${pending.id.slice(4)}`,
        eventId: pending.eventId,
        subscriptionId: hookId,
        status: 'pending',
        attemptCount: 1,
        queuedAt: null,
        lastResponseStatus: 503,
      }),
    ]);
    const [event] = await ctx.db
      .select()
      .from(events)
      .where(and(eq(events.id, pending.eventId), eq(events.customerId, PLATFORM_CUSTOMER_ID)));
    expect(event).toMatchObject({ type: 'delivery.dead', deliveryCount: 1 });
    expect(JSON.parse(event!.body)).toMatchObject({ id: pending.eventId, type: 'delivery.dead' });
    const queue = await ctx.db.execute<{ q: number; j: number }>(
      sql`select (select count(*)::int from pgboss.queue where name = 'operational-deliver') as q,
                 (select count(*)::int from pgboss.job where name = 'operational-deliver') as j`,
    );
    expect(queue[0]).toEqual({ q: 0, j: 0 });
  });

  it('sends the pending delivery through the one engine, with the webhook-id of its earlier attempt', async () => {
    worker = await startWorker(ctx, sender, createLogger('migration-0026-worker'));
    await receiver.waitFor(1, 60_000);
    const [got] = receiver.received;
    expect(got!.headers['webhook-id']).toBe(pending.eventId);
    expect(new Webhook(secret).verify(got!.body, got!.headers)).toMatchObject({
      id: pending.eventId,
      type: 'delivery.dead',
    });
    await expect
      .poll(
        async () =>
          (
            await ctx.db
              .select()
              .from(deliveries)
              .where(eq(deliveries.id, `dlv_${pending.id.slice(4)}`))
          )[0],
        { timeout: 30_000 },
      )
      .toMatchObject({ status: 'succeeded', attemptCount: 2, lastResponseStatus: 204 });
    expect(receiver.received).toHaveLength(1);
  });
});
