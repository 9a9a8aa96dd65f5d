import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rest } from '../../tests/support/api';
import { ok, startApiEngine, type ApiEngine } from '../../tests/support/api-world';
import { platformScope } from '../domain/context';
import { sign } from '../domain/delivery/signing';
import { createCustomer } from '../domain/tenants/customers';
import { inboxFor } from './inbox';
import { DEV_RECEIVER_PATH, receiveDevWebhook } from './receiver';

/**
 * The development receiver of `pnpm dev`: an event published through the API is delivered by the
 * worker over real HTTP to the receiver, which lists it in the customer's inbox as verified with the
 * subscription's secret; a forged request is listed as not verified and answered 401.
 */
let engine: ApiEngine;
let rest: Rest;
let server: Server;
let receiverUrl: string;
let platformKey: string;
let acme: string;
let other: string;

beforeAll(async () => {
  engine = await startApiEngine('dev_receiver', {}, 'test');
  ({ rest, platformKey } = engine);
  acme = (await createCustomer(engine.ctx, platformScope, { name: 'Acme' })).id;
  other = (await createCustomer(engine.ctx, platformScope, { name: 'Other' })).id;
  // What app/api/dev/receiver/route.ts does, over real HTTP.
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      void receiveDevWebhook(engine.ctx, headers, Buffer.concat(chunks).toString('utf8')).then((entry) => {
        res.writeHead(entry.verified ? 200 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ received: entry.seq, verified: entry.verified }));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${DEV_RECEIVER_PATH}`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await engine?.stop();
});

describe('the development receiver', () => {
  it('lists a published event as received and verified with the subscription secret', async () => {
    const sub = await ok(
      rest('POST', '/subscriptions', {
        key: platformKey,
        body: { customerId: acme, url: receiverUrl, eventTypes: ['*'] },
      }),
    );
    const published = await ok(
      rest('POST', '/events', {
        key: platformKey,
        body: { type: 'charge.succeeded', customerId: acme, data: { amount: 42 } },
      }),
    );
    expect(published.deliveries).toBe(1);
    await expect.poll(() => inboxFor(acme).entries.length, { timeout: 30_000, interval: 100 }).toBe(1);
    const [entry] = inboxFor(acme).entries;
    expect(entry).toMatchObject({
      webhookId: published.id,
      eventType: 'charge.succeeded',
      subscriptionId: sub.id,
      verified: true,
      problem: null,
    });
    expect(JSON.parse(entry!.body)).toMatchObject({ id: published.id, type: 'charge.succeeded', data: { amount: 42 } });
    // Another customer sees none of it.
    expect(inboxFor(other).entries).toEqual([]);
  });

  it('lists a forged request as not verified and answers it 401', async () => {
    const [delivered] = inboxFor(acme).entries;
    const body = delivered!.body;
    const ts = Math.floor(Date.now() / 1000);
    const forged = sign('whsec_' + Buffer.alloc(32, 7).toString('base64'), delivered!.webhookId!, ts, body);
    const res = await fetch(receiverUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': delivered!.webhookId!,
        'webhook-timestamp': String(ts),
        'webhook-signature': forged,
      },
      body,
    });
    expect(res.status).toBe(401);
    const [entry] = inboxFor(acme).entries;
    expect(entry).toMatchObject({ verified: false, problem: 'no matching signature', webhookId: delivered!.webhookId });
    // A request naming no event is kept out of every customer's list.
    const stray = await fetch(receiverUrl, { method: 'POST', body: '{}', headers: { 'webhook-id': 'evt_nope' } });
    expect(stray.status).toBe(401);
    expect(inboxFor(acme).entries).toHaveLength(2);
    expect(inboxFor(acme).unattributed).toBe(1);
  });
});
