import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../../package.json' with { type: 'json' };
import { startEngine, type Engine } from '../../../tests/support/engine';
import { startReceiver } from '../../../tests/support/receiver';
import { platformScope } from '../context';
import { createCustomer } from '../tenants/customers';
import { publishEvent } from '../events/publish';
import { createSubscription } from '../tenants/subscriptions';

let engine: Engine;

beforeAll(async () => {
  engine = await startEngine('user_agent', { publicUrl: 'https://hooks.example.com' });
});

afterAll(async () => {
  await engine?.stop();
});

async function userAgentSeen(): Promise<string | undefined> {
  const receiver = await startReceiver();
  const customer = await createCustomer(engine.ctx, platformScope, { name: 'Acme' });
  await createSubscription(engine.ctx, platformScope, { customerId: customer.id, url: `${receiver.url}/hook`, eventTypes: ['*'] });
  await publishEvent(engine.ctx, platformScope, { type: 'charge.succeeded', data: {}, customerId: customer.id });
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
    engine.ctx.config.publicUrl = undefined;
    const ua = await userAgentSeen();
    expect(ua).toBe(`Hookrelay/${pkg.version}`);
    expect(ua).not.toContain('github.com');
  });
});
