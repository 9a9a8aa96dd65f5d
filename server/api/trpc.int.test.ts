import { eq, inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { deliveries } from '../../drizzle/schema';
import type { TestCtx } from '../../tests/support/context';
import { startEngine, type Engine } from '../../tests/support/engine';
import { fileScoped } from '../../tests/support/file-scoped';
import { failure, restClient, snapshot, trpcClient, type Rest } from '../../tests/support/api';
import { ok } from '../../tests/support/api-world';
import { createApiKey } from '../domain/tenants/api-keys';

/**
 * tRPC is the API; REST serves the same procedures. A real tRPC client (httpLink over the fetch
 * handler the Next route uses) gets the same results, the same errors and the same tenant rules as
 * REST, and what it publishes is delivered.
 */
const engine = fileScoped(() => startEngine('api_trpc'));
let ctx: TestCtx;
let rest: Rest;
let receiver: Awaited<ReturnType<Engine['receiver']>>;
let platformKey: string;
let a: { id: string; key: string; subscriptionId: string };
let b: { id: string; key: string };

beforeAll(async () => {
  ctx = engine.ctx;
  rest = restClient(ctx);
  receiver = await engine.receiver();
  platformKey = (await createApiKey(ctx, null, 'test')).key;
  const platform = trpcClient(ctx, platformKey);
  const ca = await platform.customers.create.mutate({ name: 'A' });
  const cb = await platform.customers.create.mutate({ name: 'B' });
  const ka = await platform.customers.createApiKey.mutate({ id: ca.id, scopes: ['publish', 'read', 'manage', 'keys'] });
  const kb = await platform.customers.createApiKey.mutate({ id: cb.id, scopes: ['publish', 'read', 'manage', 'keys'] });
  const sub = await trpcClient(ctx, ka.key).subscriptions.create.mutate({
    url: `${receiver.url}/hook`,
    eventTypes: ['order.*'],
  });
  a = { id: ca.id, key: ka.key, subscriptionId: sub.id };
  b = { id: cb.id, key: kb.key };
});

describe('publishing over REST and over tRPC', () => {
  it('gives the same result shape, and both events are delivered', async () => {
    const viaRest = await ok(
      rest('POST', '/events', { key: a.key, body: { type: 'order.created', data: { via: 'rest' } } }),
      202,
    );
    const viaTrpc = await trpcClient(ctx, a.key).events.publish.mutate({
      type: 'order.created',
      data: { via: 'trpc' },
    });

    expect(Object.keys(viaTrpc).sort()).toEqual(Object.keys(viaRest).sort());
    for (const r of [viaRest, viaTrpc])
      expect(r).toEqual({ id: expect.stringMatching(/^evt_/), deliveries: 1, duplicate: false });

    await receiver.waitFor(2);
    expect(receiver.received.map((r) => r.headers['webhook-id']).sort()).toEqual([viaRest.id, viaTrpc.id].sort());
    await expect
      .poll(
        async () =>
          (
            await ctx.db
              .select({ status: deliveries.status })
              .from(deliveries)
              .where(inArray(deliveries.eventId, [viaRest.id, viaTrpc.id]))
          ).map((d) => d.status),
        { timeout: 15_000 },
      )
      .toEqual(['succeeded', 'succeeded']);
  });

  it('reads back the same event either way', async () => {
    const published = await trpcClient(ctx, a.key).events.publish.mutate({ type: 'order.paid', data: { n: 2 } });
    // Compare once the worker is done with it, so both reads see the same delivery state.
    await expect
      .poll(
        async () =>
          (
            (await ok(rest('GET', '/events/{id}', { key: a.key, params: { id: published.id } }))) as {
              deliveries: Array<{ status: string }>;
            }
          ).deliveries.every((d) => d.status !== 'pending'),
        { timeout: 30_000 },
      )
      .toBe(true);
    const viaTrpc = await trpcClient(ctx, a.key).events.get.query({ id: published.id });
    const viaRest = await ok(rest('GET', '/events/{id}', { key: a.key, params: { id: published.id } }));
    expect(JSON.parse(JSON.stringify(viaTrpc))).toEqual(viaRest);
  });

  it('takes list filters as JSON (dates as ISO strings)', async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const page = await trpcClient(ctx, a.key).events.list.query({ type: 'order.*', from: since, limit: 1 });
    expect(page.data).toHaveLength(1);
    expect(page.nextCursor).toBe(page.data[0]!.id);
  });
});

describe('tRPC errors and tenant rules', () => {
  it('answers UNAUTHORIZED (401) without a key and with a revoked key', async () => {
    expect((await failure(trpcClient(ctx).subscriptions.list.query({})))?.data).toMatchObject({
      httpStatus: 401,
      code: 'UNAUTHORIZED',
    });
    const extra = await trpcClient(ctx, a.key).customers.createApiKey.mutate({ id: a.id, name: 'short-lived' });
    await trpcClient(ctx, a.key).customers.revokeApiKey.mutate({ id: extra.id });
    const err = await failure(trpcClient(ctx, extra.key).subscriptions.list.query({}));
    expect(err?.data).toMatchObject({ httpStatus: 401, code: 'UNAUTHORIZED', errorCode: 'unauthorized' });
    expect(err?.message).toContain('revoked');
  });

  it('answers BAD_REQUEST (400) naming the field, and creates nothing', async () => {
    const before = await snapshot(ctx);
    const err = await failure(
      trpcClient(ctx, a.key).subscriptions.create.mutate({ url: `${receiver.url}/x`, eventTypes: ['order.**.x'] }),
    );
    expect(err?.data).toMatchObject({
      httpStatus: 400,
      code: 'BAD_REQUEST',
      errorCode: 'bad_request',
      field: 'eventTypes.0',
    });
    expect(err?.message).toMatch(/^eventTypes\.0: /);
    expect(await snapshot(ctx)).toEqual(before);
  });

  it("answers NOT_FOUND (404) for another customer's object", async () => {
    const err = await failure(trpcClient(ctx, b.key).subscriptions.get.query({ id: a.subscriptionId }));
    expect(err?.data).toMatchObject({ httpStatus: 404, code: 'NOT_FOUND' });
    const [d] = await ctx.db.select().from(deliveries).where(eq(deliveries.subscriptionId, a.subscriptionId));
    expect((await failure(trpcClient(ctx, b.key).deliveries.get.query({ id: d!.id })))?.data).toMatchObject({
      httpStatus: 404,
    });
  });

  it('answers FORBIDDEN (403) to a customer key on platform-only procedures', async () => {
    const client = trpcClient(ctx, a.key);
    const calls = [
      () => client.customers.create.mutate({ name: 'X' }),
      () => client.customers.portalLink.mutate({ id: a.id }),
      () => client.customers.createUser.mutate({ id: a.id, email: 'x@y.example', password: 'long enough' }),
    ];
    for (const call of calls)
      expect((await failure(call()))?.data).toMatchObject({ httpStatus: 403, code: 'FORBIDDEN' });
  });

  it("never lists another customer's data", async () => {
    const client = trpcClient(ctx, b.key);
    const lists = await Promise.all([
      client.events.list.query({}),
      client.deliveries.list.query({}),
      client.subscriptions.list.query({}),
      client.customers.list.query({}),
      client.customers.allApiKeys.query({}),
    ]);
    expect(JSON.stringify(lists)).not.toContain(a.id);
  });
});
