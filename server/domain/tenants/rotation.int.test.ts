import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { subscriptions } from '../../../drizzle/schema';
import {
  attemptsOf,
  expectVerified,
  onlyDelivery,
  startEngine,
  subscribedReceiver,
  waitForStatus,
} from '../../../tests/support/engine';
import { fileScoped } from '../../../tests/support/file-scoped';
import type { Reply } from '../../../tests/support/receiver';
import { customerScope, platformScope } from '../context';
import { createCustomer } from './customers';
import { generateSecret, verifyWebhook } from '../delivery/signing';
import { getSubscriptionSecret } from '../subscriptions/subscription-reads';
import { rotateSecret } from '../subscriptions/signing-secret-rotation';

const engine = fileScoped(() => startEngine('rotation'));

async function setup(reply?: (index: number) => Reply, retryPolicy?: { scheduleSeconds: number[] }) {
  const { r, sub, customer, publish } = await subscribedReceiver(
    engine,
    'Rotating',
    reply ? (_, i) => reply(i) : undefined,
    retryPolicy && { retryPolicy },
  );
  return { r, sub, customer, publish: () => publish({ amount: 7 }) };
}

async function deliver(publish: () => Promise<{ id: string }>) {
  const event = await publish();
  await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, event.id)).id, 'succeeded');
  return event;
}

describe('secret rotation', () => {
  it('during the grace period every delivery carries two signatures, each verifying with its secret', async () => {
    const { ctx } = engine;
    const { r, sub, customer, publish } = await setup();
    const oldSecret = sub.secret;

    await deliver(publish);
    expect(r.received[0]!.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expectVerified(r.received, oldSecret);

    const rotated = await rotateSecret(ctx, customerScope(customer.id), sub.id);
    const newSecret = rotated.secret;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    expect(rotated.secretRotationEndsAt).not.toBeNull();
    expect(await getSubscriptionSecret(ctx, platformScope, sub.id)).toEqual({ secret: newSecret });

    await deliver(publish);
    const got = r.received[1]!;
    const signatures = got.headers['webhook-signature']!.split(' ');
    expect(signatures).toHaveLength(2);
    // Both the standardwebhooks library and our verifier accept it under the old and the new secret.
    expect(new Webhook(newSecret).verify(got.body, got.headers)).toMatchObject({ type: 'charge.succeeded' });
    expect(new Webhook(oldSecret).verify(got.body, got.headers)).toMatchObject({ type: 'charge.succeeded' });
    expect(() => verifyWebhook(newSecret, got.headers, got.body)).not.toThrow();
    expect(() => verifyWebhook(oldSecret, got.headers, got.body)).not.toThrow();
    expect(() => new Webhook(generateSecret()).verify(got.body, got.headers)).toThrow();
    // The current secret signs first.
    expect(() =>
      verifyWebhook(newSecret, { ...got.headers, 'webhook-signature': signatures[0]! }, got.body),
    ).not.toThrow();

    // Once the grace period is over, only the new secret signs.
    await ctx.db
      .update(subscriptions)
      .set({ previousSecretExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(subscriptions.id, sub.id));
    await deliver(publish);
    const after = r.received[2]!;
    expect(after.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expectVerified([after], newSecret);
    expect(() => verifyWebhook(oldSecret, after.headers, after.body)).toThrow(/no matching signature/);
  });

  it('a retry after a rotation is signed afresh with both secrets', async () => {
    const { ctx } = engine;
    const { r, sub, publish } = await setup((i) => (i === 0 ? { status: 500 } : { status: 200 }), {
      scheduleSeconds: [2],
    });
    const event = await publish();
    const delivery = await onlyDelivery(ctx, event.id);
    await expect.poll(async () => (await attemptsOf(ctx, delivery.id)).length, { timeout: 10_000 }).toBe(1);
    const { secret: newSecret } = await rotateSecret(ctx, platformScope, sub.id);
    await waitForStatus(ctx, delivery.id, 'succeeded');
    expect(r.received).toHaveLength(2);
    expect(r.received[0]!.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(r.received[1]!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expectVerified(r.received, sub.secret);
    expectVerified([r.received[1]!], newSecret);
    expect(r.received[1]!.headers['webhook-id']).toBe(r.received[0]!.headers['webhook-id']);
  });

  it('a second rotation drops the first secret', async () => {
    const { ctx } = engine;
    const { r, sub, publish } = await setup();
    const second = await rotateSecret(ctx, platformScope, sub.id);
    const third = await rotateSecret(ctx, platformScope, sub.id);
    await deliver(publish);
    const got = r.received[0]!;
    expect(got.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expectVerified([got], third.secret);
    expectVerified([got], second.secret);
    expect(() => verifyWebhook(sub.secret, got.headers, got.body)).toThrow(/no matching signature/);
  });

  it('another customer cannot rotate the secret', async () => {
    const { sub } = await setup();
    const other = await createCustomer(engine.ctx, platformScope, { name: 'Intruder' });
    await expect(rotateSecret(engine.ctx, customerScope(other.id), sub.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await getSubscriptionSecret(engine.ctx, platformScope, sub.id)).toEqual({ secret: sub.secret });
  });
});
