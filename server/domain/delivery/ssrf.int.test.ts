import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { subscriptions } from '../../../drizzle/schema';
import { attemptsOf, onlyDelivery, startEngine, waitForStatus } from '../../../tests/support/engine';
import { fileScoped } from '../../../tests/support/file-scoped';
import { startReceiver } from '../../../tests/support/receiver';
import { platformScope } from '../context';
import { createCustomer } from '../tenants/customers';
import { publishEvent } from '../events/publish';
import { createSubscription, updateSubscription } from '../subscriptions/subscription-changes';
import { getSubscription } from '../subscriptions/subscription-reads';

/** ALLOW_PRIVATE_TARGETS off, as in production: the worker's sender refuses private addresses too. */
const engine = fileScoped(() => startEngine('ssrf', { allowPrivateTargets: false }));
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let customerId = '';

beforeAll(async () => {
  receiver = await startReceiver();
  customerId = (await createCustomer(engine.ctx, platformScope, { name: 'SSRF' })).id;
});

afterAll(async () => {
  await receiver?.close();
});

const port = () => new URL(receiver.url).port;

describe('private targets refused at creation', () => {
  it.each([
    () => `http://127.0.0.1:${port()}/hook`,
    () => `http://[::1]:${port()}/hook`,
    () => `http://[::ffff:127.0.0.1]:${port()}/hook`,
    () => `http://0x7f000001:${port()}/hook`,
    () => `http://2130706433:${port()}/hook`,
    () => `http://localhost:${port()}/hook`,
    () => `http://localhost.:${port()}/hook`,
    () => 'http://169.254.169.254/latest/meta-data/',
    () => 'http://[fd00::1]/hook',
    () => 'http://10.0.0.8/hook',
    () => 'http://100.64.0.1/hook',
  ])('%#: 400 on field url, nothing created', async (url) => {
    const before = await engine.ctx.db.select({ id: subscriptions.id }).from(subscriptions);
    const err = await createSubscription(engine.ctx, platformScope, {
      customerId,
      url: url(),
      eventTypes: ['*'],
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'bad_request',
      field: 'url',
      message: expect.stringMatching(/^url must not target a private/) as unknown,
    });
    expect(await engine.ctx.db.select({ id: subscriptions.id }).from(subscriptions)).toHaveLength(before.length);
  });

  it('an update to a private URL is refused and changes nothing', async () => {
    const sub = await createSubscription(engine.ctx, platformScope, {
      customerId,
      url: 'https://hooks.example.com/in',
      eventTypes: ['*'],
    });
    await expect(
      updateSubscription(engine.ctx, platformScope, sub.id, { url: 'http://127.0.0.1/x', description: 'changed' }),
    ).rejects.toMatchObject({
      code: 'bad_request',
      field: 'url',
    });
    expect(await getSubscription(engine.ctx, platformScope, sub.id)).toMatchObject({
      url: 'https://hooks.example.com/in',
      description: null,
    });
  });
});

describe('private targets refused at connect time', () => {
  // The URL passed the write-time check (say its name resolved to a public address then; DNS can
  // change, or rebind, afterwards). Here it is written directly, as the check would not allow it.
  async function attemptTo(url: string) {
    const owner = await createCustomer(engine.ctx, platformScope, { name: 'Rebinding' });
    const sub = await createSubscription(engine.ctx, platformScope, {
      customerId: owner.id,
      url: 'https://hooks.example.com/in',
      eventTypes: ['*'],
    });
    await engine.ctx.db.update(subscriptions).set({ url }).where(eq(subscriptions.id, sub.id));
    const event = await publishEvent(engine.ctx, platformScope, { type: 'ssrf.probe', data: {}, customerId: owner.id });
    const delivery = await onlyDelivery(engine.ctx, event.id);
    // Refusal is final: the delivery is dead after its first attempt, not retried for a day.
    const dead = await waitForStatus(engine.ctx, delivery.id, 'dead', 15_000);
    return {
      attempts: await attemptsOf(engine.ctx, delivery.id),
      delivery: dead,
      sub: await getSubscription(engine.ctx, platformScope, sub.id),
    };
  }

  it.each([
    [
      'a name resolving to loopback',
      () => `http://localhost:${port()}/hook`,
      /localhost resolves to (127\.0\.0\.1|::1), a private address/,
    ],
    ['a loopback literal', () => `http://127.0.0.1:${port()}/hook`, /127\.0\.0\.1 is a private address/],
    [
      'an IPv4-mapped loopback literal',
      () => `http://[::ffff:127.0.0.1]:${port()}/hook`,
      /::ffff:7f00:1 is a private address/,
    ],
    ['a numeric loopback host', () => `http://0x7f000001:${port()}/hook`, /127\.0\.0\.1 is a private address/],
  ])('%s: recorded as error class blocked_target, dead at once, nothing sent', async (_, url, message) => {
    const { attempts, delivery, sub } = await attemptTo(url());
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      status: 'failed',
      errorClass: 'blocked_target',
      responseStatus: null,
      nextRetryAt: null,
    });
    expect(attempts[0]!.errorMessage).toMatch(message);
    expect(delivery).toMatchObject({ attemptCount: 1, nextAttemptAt: null, completedAt: expect.any(Date) as unknown });
    expect(delivery.lastError).toMatch(message);
    // A refusal says nothing about the endpoint's health: the breaker stays closed, the subscription active.
    expect(sub).toMatchObject({ active: true, breaker: { state: 'closed', consecutiveFailures: 0 } });
    expect(receiver.received).toHaveLength(0);
  });
});
