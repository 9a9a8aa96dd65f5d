import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../../package.json' with { type: 'json' };
import { createTestDatabase } from '../../../tests/support/db';
import { createTestContext, type TestCtx } from '../../../tests/support/context';
import { startReceiver } from '../../../tests/support/receiver';
import { createLogger } from '../../log';
import { startWorker } from '../../../worker/worker';
import { platformScope } from '../context';
import { createCustomer } from '../tenants/customers';
import { publishEvent } from '../events/publish';
import { createSender } from './http-sender';
import { createSubscription } from '../subscriptions/subscription-changes';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ctx: TestCtx;
let worker: Awaited<ReturnType<typeof startWorker>>;
const sender = createSender({ allowPrivate: true });

beforeAll(async () => {
  db = await createTestDatabase('user_agent');
  ctx = await createTestContext(db.url, { publicUrl: 'https://hooks.example.com' });
  worker = await startWorker(ctx, sender, createLogger('test-worker'));
});

afterAll(async () => {
  await worker?.stop(1000);
  await sender.close();
  await ctx?.close();
  await db?.drop();
});

async function userAgentSeen(): Promise<string | undefined> {
  const receiver = await startReceiver();
  const customer = await createCustomer(ctx, platformScope, { name: 'Acme' });
  await createSubscription(ctx, platformScope, { customerId: customer.id, url: `${receiver.url}/hook`, eventTypes: ['*'] });
  await publishEvent(ctx, platformScope, { type: 'charge.succeeded', data: {}, customerId: customer.id });
  await receiver.waitFor(1);
  await receiver.close();
  return receiver.received[0]!.headers['user-agent'];
}

describe('the User-Agent of an attempt', () => {
  it('names the product, its version and the operator’s PUBLIC_URL', async () => {
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(await userAgentSeen()).toBe(`Hookrelay/${pkg.version} (+https://hooks.example.com)`);
  });

  it('advertises no address when the operator set none', async () => {
    ctx.config.publicUrl = undefined;
    const ua = await userAgentSeen();
    expect(ua).toBe(`Hookrelay/${pkg.version}`);
    expect(ua).not.toContain('github.com');
  });
});
