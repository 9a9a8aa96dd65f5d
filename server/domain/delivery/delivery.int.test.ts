import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { eq } from 'drizzle-orm';
import { attempts, deliveries } from '../../../drizzle/schema';
import { startEngine, subscribedReceiver } from '../../../tests/support/engine';
import { fileScoped } from '../../../tests/support/file-scoped';

const engine = fileScoped(() => startEngine('delivery'));

describe('signed delivery path', () => {
  it('delivers a published event as a Standard Webhooks signed POST and records the attempt', async () => {
    const {
      r: receiver,
      sub,
      publish,
    } = await subscribedReceiver(engine, 'Acme', undefined, { eventTypes: ['charge.*'] });
    expect(sub.secret).toMatch(/^whsec_/);

    const published = await publish({ amount: 42 });
    expect(published.deliveries).toBe(1);

    await receiver.waitFor(1);
    const got = receiver.received[0]!;
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['webhook-id']).toBe(published.id);
    const verified = new Webhook(sub.secret).verify(got.body, got.headers) as {
      id: string;
      type: string;
      data: unknown;
    };
    expect(verified).toMatchObject({ id: published.id, type: 'charge.succeeded', data: { amount: 42 } });

    await expect
      .poll(
        async () =>
          (await engine.ctx.db.select().from(deliveries).where(eq(deliveries.eventId, published.id)))[0]?.status,
        { timeout: 10_000 },
      )
      .toBe('succeeded');
    const [delivery] = await engine.ctx.db.select().from(deliveries).where(eq(deliveries.eventId, published.id));
    const rows = await engine.ctx.db.select().from(attempts).where(eq(attempts.deliveryId, delivery!.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ attemptSeq: 1, status: 'succeeded', responseStatus: 200, trigger: 'initial' });
    expect(rows[0]!.requestHeaders['webhook-signature']).toBe(got.headers['webhook-signature']);
  });

  it('does not deliver to subscriptions whose patterns do not match', async () => {
    const { publish } = await subscribedReceiver(engine, 'Beta', undefined, { eventTypes: ['invoice.paid'] });
    const published = await publish();
    expect(published.deliveries).toBe(0);
  });
});
