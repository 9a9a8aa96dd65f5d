import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { subscriptions } from '../../../drizzle/schema';
import { attemptsOf, deliveryOf, onlyDelivery, startEngine, type Engine } from '../../../tests/support/engine';
import { startReceiver } from '../../../tests/support/receiver';
import { platformScope } from '../context';
import { createCustomer } from '../tenants/customers';
import { publishEvent } from '../events/publish';
import { createSubscription, getSubscription, updateSubscription } from '../tenants/subscriptions';

/** ALLOW_PRIVATE_TARGETS off, as in production: the worker's sender refuses private addresses too. */
let engine: Engine;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let customerId = '';

beforeAll(async () => {
  engine = await startEngine('ssrf', { allowPrivateTargets: false });
  receiver = await startReceiver();
  customerId = (await createCustomer(engine.ctx, platformScope, { name: 'SSRF' })).id;
});

afterAll(async () => {
  await receiver?.close();
  await engine?.stop();
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
    const err = await createSubscription(engine.ctx, platformScope, { customerId, url: url(), eventTypes: ['*'] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad_request', field: 'url', message: expect.stringMatching(/^url must not target a private/) as unknown });
    expect(await engine.ctx.db.select({ id: subscriptions.id }).from(subscriptions)).toHaveLength(before.length);
  });

  it('an update to a private URL is refused and changes nothing', async () => {
    const sub = await createSubscription(engine.ctx, platformScope, { customerId, url: 'https://hooks.example.com/in', eventTypes: ['*'] });
    await expect(updateSubscription(engine.ctx, platformScope, sub.id, { url: 'http://127.0.0.1/x', description: 'changed' })).rejects.toMatchObject({ code: 'bad_request', field: 'url' });
    expect(await getSubscription(engine.ctx, platformScope, sub.id)).toMatchObject({ url: 'https://hooks.example.com/in', description: null });
  });
});

describe('private targets refused at connect time', () => {
  // The URL passed the write-time check (say its name resolved to a public address then; DNS can
  // change, or rebind, afterwards). Here it is written directly, as the check would not allow it.
  async function attemptTo(url: string) {
    const owner = await createCustomer(engine.ctx, platformScope, { name: 'Rebinding' });
    const sub = await createSubscription(engine.ctx, platformScope, { customerId: owner.id, url: 'https://hooks.example.com/in', eventTypes: ['*'] });
    await engine.ctx.db.update(subscriptions).set({ url }).where(eq(subscriptions.id, sub.id));
    const event = await publishEvent(engine.ctx, platformScope, { type: 'ssrf.probe', data: {}, customerId: owner.id });
    const delivery = await onlyDelivery(engine.ctx, event.id);
    await expect.poll(async () => (await attemptsOf(engine.ctx, delivery.id)).length, { timeout: 15_000 }).toBeGreaterThan(0);
    await engine.ctx.db.update(subscriptions).set({ active: false }).where(eq(subscriptions.id, sub.id));
    return { attempt: (await attemptsOf(engine.ctx, delivery.id))[0]!, delivery: await deliveryOf(engine.ctx, delivery.id) };
  }

  it.each([
    ['a name resolving to loopback', () => `http://localhost:${port()}/hook`, /localhost resolves to (127\.0\.0\.1|::1), a private address/],
    ['a loopback literal', () => `http://127.0.0.1:${port()}/hook`, /127\.0\.0\.1 is a private address/],
    ['an IPv4-mapped loopback literal', () => `http://[::ffff:127.0.0.1]:${port()}/hook`, /::ffff:7f00:1 is a private address/],
    ['a numeric loopback host', () => `http://0x7f000001:${port()}/hook`, /127\.0\.0\.1 is a private address/],
  ])('%s: recorded as error class blocked_target, nothing sent', async (_, url, message) => {
    const { attempt, delivery } = await attemptTo(url());
    expect(attempt).toMatchObject({ status: 'failed', errorClass: 'blocked_target', responseStatus: null });
    expect(attempt.errorMessage).toMatch(message);
    expect(delivery.status).toBe('pending'); // retried by the policy like any failure; the subscription can be fixed meanwhile
    expect(receiver.received).toHaveLength(0);
  });
});
