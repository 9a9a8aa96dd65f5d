import { createLogger } from '../../server/log';
import { createApiKey } from '../../server/domain/tenants/api-keys';
import { createSender } from '../../server/domain/delivery/http-sender';
import { startWorker } from '../../worker/worker';
import type { Ctx } from '../../server/domain/context';
import { restClient, type Json, type Rest } from './api';
import { createTestContext, type TestCtx } from './context';
import { createTestDatabase } from './db';
import { startEngine, type Engine } from './engine';

/** One customer as an API test sees it: its key and one of each of its objects. */
type Tenant = {
  id: string;
  key: string;
  keyId: string;
  subscriptionId: string;
  /** An event published for this customer only. */
  eventId: string;
  /** The delivery of `eventId` (succeeded). */
  deliveryId: string;
  /** This customer's delivery of the broadcast event. */
  broadcastDeliveryId: string;
};

export type World = {
  rest: Rest;
  platformKey: string;
  a: Tenant;
  b: Tenant;
  /** A broadcast reached both customers: each sees the event, neither sees the other's delivery. */
  broadcastEventId: string;
  /** A third customer whose deliveries all died (one attempt to a closed port): material for bulk replays. */
  r: { id: string; key: string; deadDeliveryIds: string[] };
  receiverUrl: string;
  /** A new customer with its own key, for tests that must not disturb A or B. */
  freshCustomer(label?: string): Promise<{ id: string; key: string; keyId: string }>;
  freshSubscription(t: { key: string }, eventTypes?: string[]): Promise<string>;
  freshKey(t: { id: string; key: string }): Promise<{ id: string; key: string }>;
};

export async function ok(res: Promise<{ status: number; body: Json }>, status?: number): Promise<Json> {
  const r = await res;
  if (r.status >= 300 || (status !== undefined && r.status !== status))
    throw new Error(`expected ${status ?? '2xx'}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * Where most API test files start: a fresh database, a test Ctx over it (with `config`), its REST
 * door in-process and a platform key (named `platformKeyName`). `stop()` closes the Ctx and drops
 * the database.
 */
export type ApiBed = { url: string; ctx: TestCtx; rest: Rest; platformKey: string; stop(): Promise<void> };

export async function startApi(
  label: string,
  config: Partial<Ctx['config']> = {},
  platformKeyName = 'test',
): Promise<ApiBed> {
  const db = await createTestDatabase(label);
  const ctx = await createTestContext(db.url, config);
  return {
    url: db.url,
    ctx,
    rest: restClient(ctx),
    platformKey: (await createApiKey(ctx, null, platformKeyName)).key,
    async stop() {
      await ctx.close();
      await db.drop();
    },
  };
}

/** An Engine (engine.ts) with its REST door in-process and a platform key (named `platformKeyName`). */
export type ApiEngine = Engine & { rest: Rest; platformKey: string };

export async function startApiEngine(
  label: string,
  config: Partial<Ctx['config']> = {},
  platformKeyName = 'test platform',
): Promise<ApiEngine> {
  const engine = await startEngine(label, config);
  return {
    ...engine,
    rest: restClient(engine.ctx),
    platformKey: (await createApiKey(engine.ctx, null, platformKeyName)).key,
  };
}

/** Every scope a customer's API key can have. */
const ALL_SCOPES = ['publish', 'read', 'manage', 'keys'];

/**
 * A customer named `name` made through the REST API with `platformKey`, and a key of it: named
 * `key.name` (by default the API's default name), with `key.scopes` (by default every scope).
 */
export async function createTenant(
  rest: Rest,
  platformKey: string,
  name: string,
  key: { name?: string; scopes?: string[] } = {},
): Promise<{ id: string; key: string; keyId: string }> {
  const c = await ok(rest('POST', '/customers', { key: platformKey, body: { name } }), 201);
  const k = await ok(
    rest('POST', '/customers/{id}/api-keys', {
      key: platformKey,
      params: { id: c.id },
      body: { scopes: ALL_SCOPES, ...key },
    }),
    201,
  );
  return { id: c.id as string, key: k.key as string, keyId: k.id as string };
}

/**
 * Two customers, A and B, each with a key, a subscription to `*`, an event delivered to it, and a
 * share of one broadcast, and a third, R, with three dead letters, all created through the REST API,
 * then delivered (or failed) by a real worker against a real receiver. The worker is stopped before returning, so nothing changes under
 * the tests' feet (and "a rejected request changed nothing" can be checked exactly).
 */
export async function seedWorld(ctx: Ctx, rest: Rest, receiverUrl: string): Promise<World> {
  const platformKey = (await createApiKey(ctx, null, 'test platform')).key;
  let n = 0;
  const freshCustomer = (label = 'Fresh') => createTenant(rest, platformKey, `${label} ${++n}`, { name: 'test' });
  const freshSubscription = async (t: { key: string }, eventTypes = ['*']) =>
    (await ok(rest('POST', '/subscriptions', { key: t.key, body: { url: `${receiverUrl}/hook`, eventTypes } }), 201))
      .id as string;
  const freshKey = async (t: { id: string; key: string }) => {
    const k = await ok(
      rest('POST', '/customers/{id}/api-keys', { key: t.key, params: { id: t.id }, body: { name: 'extra' } }),
      201,
    );
    return { id: k.id as string, key: k.key as string };
  };

  const tenant = async (label: string) => {
    const c = await freshCustomer(label);
    const subscriptionId = await freshSubscription(c);
    const ev = await ok(
      rest('POST', '/events', { key: c.key, body: { type: 'order.created', data: { customer: label } } }),
      202,
    );
    return { ...c, subscriptionId, eventId: ev.id as string };
  };
  const a0 = await tenant('A');
  const b0 = await tenant('B');
  const broadcast = await ok(
    rest('POST', '/events', {
      key: platformKey,
      body: { type: 'order.created', data: { everyone: true }, broadcast: true },
    }),
    202,
  );
  const r = await freshCustomer('R');
  await ok(
    rest('POST', '/subscriptions', {
      key: r.key,
      body: { url: 'http://127.0.0.1:9/closed', eventTypes: ['invoice.*'], retryPolicy: { maxAttempts: 1 } },
    }),
    201,
  );
  for (let i = 0; i < 3; i++)
    await ok(rest('POST', '/events', { key: r.key, body: { type: 'invoice.failed', data: { i } } }), 202);

  const sender = createSender({ allowPrivate: true });
  const worker = await startWorker(ctx, sender, createLogger('test-worker'));
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const all = await ok(rest('GET', '/deliveries', { key: platformKey }));
      const settled = all.data.filter((d: Json) =>
        d.customerId === r.id ? d.status === 'dead' : d.status === 'succeeded',
      );
      if (all.data.length === 7 && settled.length === 7) break;
      if (Date.now() > deadline) throw new Error(`world did not settle: ${JSON.stringify(all.data)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await worker.stop(5_000);
    await sender.close();
  }

  const finish = async (t: typeof a0): Promise<Tenant> => {
    const own = await ok(rest('GET', '/deliveries', { key: t.key, query: { eventId: t.eventId } }));
    const shared = await ok(rest('GET', '/deliveries', { key: t.key, query: { eventId: broadcast.id } }));
    return { ...t, deliveryId: own.data[0].id, broadcastDeliveryId: shared.data[0].id };
  };
  // One (immediately completed: nothing to replay) bulk replay each, so replay lists have something to hide.
  for (const t of [a0, b0]) await ok(rest('POST', '/replays', { key: t.key, body: {} }), 202);
  const dead = await ok(rest('GET', '/deliveries', { key: r.key, query: { status: 'dead' } }));
  return {
    rest,
    platformKey,
    a: await finish(a0),
    b: await finish(b0),
    r: { id: r.id, key: r.key, deadDeliveryIds: dead.data.map((d: Json) => d.id as string) },
    broadcastEventId: broadcast.id,
    receiverUrl,
    freshCustomer,
    freshSubscription,
    freshKey,
  };
}
