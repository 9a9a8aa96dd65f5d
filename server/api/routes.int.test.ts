import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestContext, type TestCtx } from '../../tests/support/context';
import { startReceiver } from '../../tests/support/receiver';
import {
  callProcedure,
  expectUnchanged,
  failure,
  readOnlyTrpc,
  restClient,
  type Json,
  type Rest,
} from '../../tests/support/api';
import { ok, seedWorld, type World } from '../../tests/support/api-world';
import { openBreaker } from '../../tests/support/seed';
import { platformScope } from '../domain/context';
import { publishEvent } from '../domain/events/publish';
import { restRoutes, type RestRoute } from './rest';

/**
 * Every REST route, generated from `restRoutes`: a happy path, a validation error (400 naming the
 * field), authentication (401 without, with a bad and with a revoked key), platform-only routes (403
 * to a customer key), tenant isolation (customer B gets 404 for each of A's objects, and B's lists
 * never hold A's data) and read-only sessions (403 on every mutation). Every rejected request is
 * checked to change nothing. A route with no entry in `cases` fails the first test.
 */
type Req = {
  /** Whose key makes the happy-path call; default A's (the platform's for platform-only routes). */
  key?: string;
  /** The customer that owns the objects in the request (default A), for the read-only session. */
  owner?: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
};
type Foreign = Req & { expect: 404 | 'empty' };
type Case = {
  /** A valid request on A's objects (may create fresh ones). */
  valid(w: World): Req | Promise<Req>;
  /** Assertions on the happy-path response body. */
  check?(body: Json, w: World): void | Promise<void>;
  /** A request that fails validation, and the field the 400 must name. */
  invalid(w: World): Req & { field: string };
  /**
   * Routes without `{id}`: requests by B that name A's data in the body or query (404, or an empty
   * list). `[]` when the route names no customer's object.
   */
  foreign?(w: World): Foreign[];
  /** Routes with `{…}` on an object every customer shares (the event-type catalog): B reads what A reads. */
  shared?: true;
};

let typeNo = 0;
/** A fresh catalog entry (made with the platform key), for routes that change or archive one. */
const freshType = async (w: World) => {
  const name = `catalog.t${++typeNo}`;
  await ok(
    w.rest('POST', '/event-types', { key: w.platformKey, body: { name, description: 'for a route test' } }),
    201,
  );
  return name;
};

const cases: Record<string, Case> = {
  'POST /customers': {
    valid: () => ({ body: { name: 'New Co', externalId: 'ext-new-co' } }),
    check: (b) =>
      expect(b).toMatchObject({
        id: expect.stringMatching(/^cus_/),
        name: 'New Co',
        externalId: 'ext-new-co',
        tier: 'standard',
      }),
    invalid: () => ({ body: { name: '' }, field: 'name' }),
    foreign: () => [],
  },
  'GET /customers': {
    valid: () => ({ query: { limit: '10' } }),
    check: (b, w) => expect(b).toEqual({ data: [expect.objectContaining({ id: w.a.id })], nextCursor: null }),
    invalid: () => ({ query: { limit: '0' }, field: 'limit' }),
    foreign: () => [],
  },
  'GET /customers/{id}': {
    valid: (w) => ({ params: { id: w.a.id } }),
    check: (b, w) => expect(b).toMatchObject({ id: w.a.id, name: expect.any(String) }),
    invalid: () => ({ params: { id: 'acme' }, field: 'id' }),
  },
  'PATCH /customers/{id}': {
    valid: (w) => ({ params: { id: w.a.id }, body: { retentionDays: 30 } }),
    check: (b, w) => expect(b).toMatchObject({ id: w.a.id, retentionDays: 30 }),
    invalid: (w) => ({ params: { id: w.a.id }, body: { retentionDays: 0 }, field: 'retentionDays' }),
  },
  // A fresh customer each time: expunging A's data would take the payloads other routes read.
  'DELETE /customers/{id}/data': {
    valid: async (w) => ({ params: { id: (await w.freshCustomer('Closing')).id } }),
    check: (b) =>
      expect(b).toMatchObject({
        id: expect.stringMatching(/^exp_/),
        status: 'running',
        total: 0,
        expunged: 0,
        existing: false,
      }),
    invalid: () => ({ params: { id: 'acme' }, field: 'id' }),
  },
  'GET /customers/{id}/data': {
    valid: async (w) => {
      const c = await w.freshCustomer('Closed');
      await ok(w.rest('DELETE', '/customers/{id}/data', { key: w.platformKey, params: { id: c.id } }), 202);
      return { params: { id: c.id } };
    },
    check: (b) => expect(b).toMatchObject({ id: expect.stringMatching(/^exp_/), total: 0 }),
    invalid: () => ({ params: { id: 'acme' }, field: 'id' }),
  },
  'POST /customers/{id}/api-keys': {
    valid: (w) => ({ params: { id: w.a.id }, body: { name: 'ci' } }),
    check: (b, w) =>
      expect(b).toMatchObject({
        id: expect.stringMatching(/^key_/),
        key: expect.stringMatching(/^hr_live_/),
        customerId: w.a.id,
        name: 'ci',
      }),
    invalid: (w) => ({ params: { id: w.a.id }, body: { name: 'x'.repeat(201) }, field: 'name' }),
  },
  'GET /customers/{id}/api-keys': {
    valid: (w) => ({ params: { id: w.a.id } }),
    check: (b, w) => {
      const main = b.data.find((k: Json) => k.id === w.a.keyId);
      expect(main).toMatchObject({
        prefix: w.a.key.slice(0, 12),
        customerId: w.a.id,
        lastUsedAt: expect.any(String),
        revokedAt: null,
      });
      expect(JSON.stringify(b)).not.toContain(w.a.key);
    },
    invalid: (w) => ({ params: { id: w.a.id }, query: { limit: '500' }, field: 'limit' }),
  },
  'GET /api-keys': {
    valid: () => ({}),
    check: (b, w) => {
      expect(b.data.map((k: Json) => k.id)).toContain(w.a.keyId);
      expect(b.data.every((k: Json) => k.customerId === w.a.id)).toBe(true);
    },
    invalid: () => ({ query: { cursor: 'page-2' }, field: 'cursor' }),
    foreign: (w) => [{ query: { customerId: w.a.id }, expect: 404 }],
  },
  'DELETE /api-keys/{id}': {
    valid: async (w) => ({ params: { id: (await w.freshKey(w.a)).id } }),
    check: (b, w) => expect(b).toMatchObject({ revoked: true, customerId: w.a.id, revokedAt: expect.any(String) }),
    invalid: (w) => ({ params: { id: w.a.subscriptionId }, field: 'id' }),
  },
  'POST /customers/{id}/users': {
    valid: (w) => ({
      params: { id: w.a.id },
      body: { email: `user-${Math.random().toString(36).slice(2)}@a.example`, password: 'correct-horse-battery' },
    }),
    check: (b, w) => expect(b).toMatchObject({ id: expect.stringMatching(/^usr_/), customerId: w.a.id }),
    invalid: (w) => ({
      params: { id: w.a.id },
      body: { email: 'not-an-email', password: 'correct-horse-battery' },
      field: 'email',
    }),
  },
  'POST /customers/{id}/portal-link': {
    valid: (w) => ({ params: { id: w.a.id }, body: { readOnly: true } }),
    check: (b) =>
      expect(b).toMatchObject({
        url: expect.stringMatching(/^http:\/\/hookrelay\.test\/portal\?token=/),
        readOnly: true,
        expiresAt: expect.any(String),
      }),
    invalid: (w) => ({ params: { id: w.a.id }, body: { ttlSeconds: 5 }, field: 'ttlSeconds' }),
  },
  'POST /events': {
    valid: () => ({ body: { type: 'order.created', data: { n: 1 } } }),
    check: (b) =>
      expect(b).toEqual({ id: expect.stringMatching(/^evt_/), deliveries: expect.any(Number), duplicate: false }),
    invalid: () => ({ body: { type: 'order created!', data: {} }, field: 'type' }),
    foreign: (w) => [{ body: { type: 'order.created', data: {}, customerId: w.a.id }, expect: 404 }],
  },
  'POST /events/batch': {
    valid: () => ({
      body: {
        events: [
          { type: 'order.created', data: { n: 1 } },
          { type: 'order.created', data: { n: 2 } },
        ],
      },
    }),
    check: (b) =>
      expect(b).toEqual({
        results: [
          expect.objectContaining({ id: expect.stringMatching(/^evt_/), duplicate: false }),
          expect.objectContaining({ id: expect.stringMatching(/^evt_/) }),
        ],
      }),
    invalid: () => ({ body: { events: 'not a list' }, field: 'events' }),
    // Another customer's id in an item is refused in that item's result (404), not by the request:
    // server/api/batch-publish.int.test.ts.
    foreign: () => [],
  },
  'GET /events': {
    valid: () => ({ query: { type: 'order.*' } }),
    check: (b, w) => {
      const ids = b.data.map((e: Json) => e.id);
      expect(ids).toContain(w.a.eventId);
      expect(ids).toContain(w.broadcastEventId);
    },
    invalid: () => ({ query: { type: 'order.**.x' }, field: 'type' }),
    foreign: (w): Foreign[] => [
      { query: { customerId: w.a.id }, expect: 404 },
      { query: { subscriptionId: w.a.subscriptionId }, expect: 404 },
      // `id` searches: another customer's event is simply not found among one's own.
      { query: { id: w.a.eventId }, expect: 'empty' },
    ],
  },
  'POST /event-types': {
    valid: () => ({
      body: {
        name: `catalog.new${++typeNo}`,
        description: 'A new type',
        schema: { type: 'object', required: ['n'] },
        example: { n: 1 },
      },
    }),
    check: (b) =>
      expect(b).toMatchObject({
        name: expect.stringMatching(/^catalog\.new/),
        schema: { type: 'object', required: ['n'] },
        example: { n: 1 },
        archived: false,
      }),
    invalid: () => ({ body: { name: 'order created!' }, field: 'name' }),
    foreign: () => [],
  },
  'GET /event-types': {
    valid: () => ({ query: { limit: '100' } }),
    check: (b) => expect(b.data.map((t: Json) => t.name)).toContain('order.created'),
    invalid: () => ({ query: { limit: '0' }, field: 'limit' }),
    foreign: () => [],
  },
  'GET /event-types/{name}': {
    valid: () => ({ params: { name: 'order.created' } }),
    check: (b) =>
      expect(b).toMatchObject({ name: 'order.created', description: 'An order was placed', archived: false }),
    invalid: () => ({ params: { name: 'order created!' }, field: 'name' }),
    shared: true,
  },
  'PATCH /event-types/{name}': {
    valid: async (w) => ({
      params: { name: await freshType(w) },
      body: { description: 'patched', schema: { type: 'object' } },
    }),
    check: (b) => expect(b).toMatchObject({ description: 'patched', schema: { type: 'object' } }),
    invalid: () => ({
      params: { name: 'order.created' },
      body: { description: 'x'.repeat(2001) },
      field: 'description',
    }),
  },
  'DELETE /event-types/{name}': {
    valid: async (w) => ({ params: { name: await freshType(w) } }),
    check: (b) => expect(b).toMatchObject({ archived: true, archivedAt: expect.any(String) }),
    invalid: () => ({ params: { name: 'a..b' }, field: 'name' }),
  },
  'GET /events/{id}': {
    valid: (w) => ({ params: { id: w.a.eventId } }),
    check: (b, w) =>
      expect(b).toMatchObject({
        id: w.a.eventId,
        customerId: w.a.id,
        deliveries: [expect.objectContaining({ id: w.a.deliveryId, status: 'succeeded' })],
      }),
    invalid: (w) => ({ params: { id: w.a.deliveryId }, field: 'id' }),
  },
  'POST /subscriptions': {
    valid: (w) => ({ body: { url: `${w.receiverUrl}/new`, eventTypes: ['order.*'], description: 'new one' } }),
    check: (b, w) =>
      expect(b).toMatchObject({
        id: expect.stringMatching(/^sub_/),
        customerId: w.a.id,
        secret: expect.stringMatching(/^whsec_/),
        active: true,
      }),
    invalid: (w) => ({ body: { url: `${w.receiverUrl}/new`, eventTypes: [] }, field: 'eventTypes' }),
    foreign: (w) => [{ body: { url: `${w.receiverUrl}/x`, eventTypes: ['*'], customerId: w.a.id }, expect: 404 }],
  },
  'GET /subscriptions': {
    valid: () => ({}),
    check: (b, w) => expect(b.data.map((s: Json) => s.id)).toContain(w.a.subscriptionId),
    invalid: () => ({ query: { customerId: 'acme' }, field: 'customerId' }),
    foreign: (w) => [{ query: { customerId: w.a.id }, expect: 404 }],
  },
  'GET /subscriptions/{id}': {
    valid: (w) => ({ params: { id: w.a.subscriptionId } }),
    check: (b, w) => {
      expect(b).toMatchObject({ id: w.a.subscriptionId, customerId: w.a.id, eventTypes: ['*'] });
      expect(b).not.toHaveProperty('secret');
    },
    invalid: () => ({ params: { id: 'sub_123' }, field: 'id' }),
  },
  'PATCH /subscriptions/{id}': {
    valid: (w) => ({ params: { id: w.a.subscriptionId }, body: { description: 'patched' } }),
    check: (b, w) => expect(b).toMatchObject({ id: w.a.subscriptionId, description: 'patched', eventTypes: ['*'] }),
    invalid: (w) => ({ params: { id: w.a.subscriptionId }, body: { timeoutMs: 5 }, field: 'timeoutMs' }),
  },
  'DELETE /subscriptions/{id}': {
    valid: async (w) => ({ params: { id: await w.freshSubscription(w.a) } }),
    check: async (b, w) => {
      expect(b).toMatchObject({ deleted: true });
      expect((await w.rest('GET', '/subscriptions/{id}', { key: w.a.key, params: { id: b.id } })).status).toBe(404);
    },
    invalid: (w) => ({ params: { id: w.a.eventId }, field: 'id' }),
  },
  'POST /subscriptions/{id}/rotate-secret': {
    valid: async (w) => ({ params: { id: await w.freshSubscription(w.a) } }),
    check: (b) =>
      expect(b).toMatchObject({ secret: expect.stringMatching(/^whsec_/), secretRotationEndsAt: expect.any(String) }),
    invalid: () => ({ params: { id: 'sub_' }, field: 'id' }),
  },
  'GET /subscriptions/{id}/secret': {
    valid: (w) => ({ params: { id: w.a.subscriptionId } }),
    check: (b) => expect(b).toEqual({ secret: expect.stringMatching(/^whsec_/) }),
    invalid: () => ({ params: { id: 'SUB_01JZ3K8Q9V7W2X4Y6A8B0C2D4E' }, field: 'id' }),
  },
  'POST /subscriptions/{id}/test': {
    valid: (w) => ({ params: { id: w.a.subscriptionId } }),
    check: (b) =>
      expect(b).toMatchObject({
        id: expect.stringMatching(/^evt_/),
        deliveryId: expect.stringMatching(/^dlv_/),
        deliveries: 1,
      }),
    invalid: (w) => ({ params: { id: w.a.deliveryId }, field: 'id' }),
  },
  'POST /subscriptions/test-filter': {
    valid: () => ({ body: { eventTypes: ['order.*'], filter: { 'data.customer': 'A' } } }),
    check: (b, w) => {
      expect(b.events.find((e: Json) => e.id === w.a.eventId)).toEqual({
        id: w.a.eventId,
        type: 'order.created',
        matches: true,
        reason: 'matches "order.*" and the filter holds',
      });
      expect(b.events.find((e: Json) => e.id === w.broadcastEventId)).toMatchObject({
        matches: false,
        reason: expect.stringContaining('data.customer $eq "A" (missing)'),
      });
    },
    invalid: () => ({
      body: { eventTypes: ['*'], filter: { 'data.amount': { $gt: true } } },
      field: 'filter.data.amount',
    }),
    foreign: (w) => [{ body: { customerId: w.a.id, eventTypes: ['*'] }, expect: 404 }],
  },
  'POST /subscriptions/test-transform': {
    valid: (w) => ({
      body: { transform: 'function transform(w) { return { body: { type: w.eventType } } }', eventId: w.a.eventId },
    }),
    check: (b, w) =>
      expect(b).toMatchObject({
        event: { id: w.a.eventId, type: 'order.created' },
        after: { body: '{"type":"order.created"}' },
        cancelled: false,
        error: null,
      }),
    invalid: () => ({ body: { transform: 'function transform( {' }, field: 'transform' }),
    foreign: (w) => [
      { body: { customerId: w.a.id, transform: 'function transform() { return {} }' }, expect: 404 },
      { body: { transform: 'function transform() { return {} }', eventId: w.a.eventId }, expect: 404 },
    ],
  },
  'POST /subscriptions/{id}/retry-now': {
    // Only an open breaker has a probe to send sooner: open one by hand.
    valid: async (w) => {
      const id = await w.freshSubscription(w.a);
      await openBreaker(ctx, id);
      return { params: { id } };
    },
    check: (b) => expect(b).toMatchObject({ breaker: { state: 'open', probeAt: expect.any(String) } }),
    invalid: (w) => ({ params: { id: w.a.eventId }, field: 'id' }),
  },
  // A fresh subscription each time (one backfill runs per subscription), over a type nothing has: it sends nothing.
  'POST /subscriptions/{id}/backfill': {
    valid: async (w) => ({
      params: { id: await w.freshSubscription(w.a) },
      body: { from: new Date(Date.now() - 3600_000).toISOString(), eventTypes: ['backfill.none'] },
    }),
    check: (b) =>
      expect(b).toMatchObject({
        id: expect.stringMatching(/^rpl_/),
        kind: 'backfill',
        status: 'completed',
        total: 0,
        clampedFrom: null,
        filter: { eventTypes: ['backfill.none'] },
      }),
    invalid: (w) => ({ params: { id: w.a.subscriptionId }, body: { from: 'soon' }, field: 'from' }),
  },
  'GET /subscriptions/{id}/backfill/preview': {
    valid: (w) => ({
      params: { id: w.a.subscriptionId },
      query: { from: new Date(Date.now() - 3600_000).toISOString() },
    }),
    // The subscription had every event of the last hour from its fan-out: nothing is left to send.
    check: (b) => expect(b).toMatchObject({ count: 0, capped: false, examined: expect.any(Number), clampedFrom: null }),
    invalid: (w) => ({
      params: { id: w.a.subscriptionId },
      query: { from: new Date(Date.now() - 3600_000).toISOString(), eventTypes: 'a..b' },
      field: 'eventTypes.0',
    }),
  },
  'GET /subscriptions/{id}/backfills': {
    valid: (w) => ({ params: { id: w.a.subscriptionId } }),
    check: (b) => expect(b).toEqual({ data: expect.any(Array), nextCursor: null }),
    invalid: (w) => ({ params: { id: w.a.subscriptionId }, query: { limit: '0' }, field: 'limit' }),
  },
  'GET /subscriptions/{id}/lanes': {
    valid: (w) => ({ params: { id: w.a.subscriptionId } }),
    check: (b) => expect(b).toEqual({ data: [], nextCursor: null }),
    invalid: (w) => ({ params: { id: w.a.subscriptionId }, query: { cursor: 'x'.repeat(300) }, field: 'cursor' }),
  },
  // A strict lane blocked by a dead letter, made by hand (no worker runs during these tests).
  'POST /subscriptions/{id}/lanes/skip': {
    valid: async (w) => {
      const id = await w.freshSubscription(w.a, ['lane.*']);
      await publishEvent(ctx, platformScope, {
        type: 'lane.moved',
        customerId: w.a.id,
        orderingKey: 'lane-1',
        data: {},
      });
      await ctx.db.execute(
        sql`update deliveries set status = 'dead', lane_hold = true, attempt_count = 1 where subscription_id = ${id}`,
      );
      return { params: { id }, body: { orderingKey: 'lane-1' } };
    },
    check: (b) =>
      expect(b).toMatchObject({
        orderingKey: 'lane-1',
        skippedDeliveryId: expect.stringMatching(/^dlv_/),
        status: 'dead',
      }),
    invalid: (w) => ({ params: { id: w.a.subscriptionId }, body: { orderingKey: '' }, field: 'orderingKey' }),
  },
  'GET /subscriptions/{id}/stats': {
    valid: (w) => ({ params: { id: w.a.subscriptionId }, query: { minutes: '5' } }),
    check: (b, w) => {
      expect(b).toMatchObject({
        subscriptionId: w.a.subscriptionId,
        current: { pending: expect.any(Number), held: 0, dead: 0 },
      });
      expect(b.minutes).toHaveLength(5);
    },
    invalid: (w) => ({ params: { id: w.a.subscriptionId }, query: { minutes: '0' }, field: 'minutes' }),
  },
  'GET /deliveries': {
    valid: () => ({ query: { status: 'succeeded' } }),
    check: (b, w) => {
      expect(b.data.map((d: Json) => d.id)).toEqual(expect.arrayContaining([w.a.deliveryId, w.a.broadcastDeliveryId]));
      expect(b.data.every((d: Json) => d.customerId === w.a.id && d.status === 'succeeded')).toBe(true);
    },
    invalid: () => ({ query: { status: 'lost' }, field: 'status' }),
    foreign: (w): Foreign[] => [
      { query: { customerId: w.a.id }, expect: 404 },
      { query: { subscriptionId: w.a.subscriptionId }, expect: 404 },
      { query: { eventId: w.a.eventId }, expect: 404 },
    ],
  },
  'GET /deliveries/{id}': {
    valid: (w) => ({ params: { id: w.a.deliveryId } }),
    check: (b, w) => {
      expect(b).toMatchObject({
        id: w.a.deliveryId,
        eventId: w.a.eventId,
        subscriptionId: w.a.subscriptionId,
        status: 'succeeded',
      });
      expect(b.attempts[0]).toMatchObject({
        status: 'succeeded',
        response: { status: 200 },
        request: { headers: expect.objectContaining({ 'webhook-id': w.a.eventId }) },
      });
    },
    invalid: (w) => ({ params: { id: w.a.eventId }, field: 'id' }),
  },
  'DELETE /events/{id}/payload': {
    // A customer of its own: an expunge ends pending deliveries as dead, which A's stats must not see.
    valid: async (w) => {
      const c = await w.freshCustomer('Expunging');
      const ev = await ok(
        w.rest('POST', '/events', { key: c.key, body: { type: 'order.created', data: { n: 1 } } }),
        202,
      );
      return { key: c.key, owner: c.id, params: { id: ev.id } };
    },
    check: (b) =>
      expect(b).toMatchObject({
        id: expect.stringMatching(/^evt_/),
        expungedAt: expect.any(String),
        deliveriesEnded: 0,
      }),
    invalid: (w) => ({ params: { id: w.a.deliveryId }, field: 'id' }),
  },
  'POST /deliveries/{id}/replay': {
    valid: (w) => ({ params: { id: w.a.deliveryId } }),
    check: (b, w) => expect(b).toMatchObject({ id: w.a.deliveryId, status: 'pending', replayCount: 1 }),
    invalid: (w) => ({ params: { id: w.a.eventId }, field: 'id' }),
  },
  // Bulk replays: a customer has one running at a time (a second request returns it). R's dead letters
  // keep a replay running (no worker runs during these tests), so there is always one to cancel.
  'POST /replays': {
    valid: async (w) => {
      const c = await w.freshCustomer('Replayer');
      return { key: c.key, owner: c.id, body: { eventType: 'invoice.*' } };
    },
    check: (b) =>
      expect(b).toMatchObject({
        id: expect.stringMatching(/^rpl_/),
        status: 'completed',
        total: 0,
        existing: false,
        filter: { eventType: 'invoice.*' },
      }),
    invalid: () => ({ body: { subscriptionId: 'nope' }, field: 'subscriptionId' }),
    foreign: (w): Foreign[] => [
      { body: { customerId: w.a.id }, expect: 404 },
      { body: { subscriptionId: w.a.subscriptionId }, expect: 404 },
    ],
  },
  'GET /audit-log': {
    valid: () => ({ query: { action: 'subscription.created' } }),
    check: (b, w) => {
      // Among them, the creation of A's own subscription.
      expect(b.data.map((e: Json) => e.target.id)).toContain(w.a.subscriptionId);
      for (const e of b.data)
        expect(e).toMatchObject({ customerId: w.a.id, action: 'subscription.created', actor: { kind: 'api_key' } });
    },
    invalid: () => ({ query: { action: 'not an action' }, field: 'action' }),
    foreign: (w) => [{ query: { customerId: w.a.id }, expect: 404 }],
  },
  'GET /usage': {
    valid: () => ({}),
    check: (b, w) => {
      expect(b.data.every((r: Json) => r.customerId === w.a.id)).toBe(true);
      expect(b.totals.eventsPublished).toBeGreaterThan(0);
    },
    invalid: () => ({ query: { from: 'yesterday-ish' }, field: 'from' }),
    foreign: (w) => [{ query: { customerId: w.a.id }, expect: 404 }],
  },
  'GET /replays': {
    valid: () => ({}),
    check: (b, w) =>
      expect(b).toEqual({
        data: [expect.objectContaining({ customerId: w.a.id, status: 'completed' })],
        nextCursor: null,
      }),
    invalid: () => ({ query: { cursor: 'rpl_1' }, field: 'cursor' }),
    foreign: (w) => [{ query: { customerId: w.a.id }, expect: 404 }],
  },
  'GET /replays/{id}': {
    valid: async (w) => ({
      key: w.r.key,
      owner: w.r.id,
      params: { id: (await ok(w.rest('POST', '/replays', { key: w.r.key, body: {} }))).id },
    }),
    check: (b, w) =>
      expect(b).toMatchObject({ id: expect.stringMatching(/^rpl_/), customerId: w.r.id, status: 'running', total: 3 }),
    invalid: () => ({ params: { id: 'nope' }, field: 'id' }),
  },
  'POST /operational-webhooks': {
    valid: (w) => ({
      body: {
        url: `${w.receiverUrl}/ops`,
        eventTypes: ['delivery.dead', 'subscription.disabled'],
        description: 'on call',
      },
    }),
    check: (b) =>
      expect(b).toMatchObject({
        id: expect.stringMatching(/^owh_/),
        secret: expect.stringMatching(/^whsec_/),
        eventTypes: ['delivery.dead', 'subscription.disabled'],
        description: 'on call',
      }),
    invalid: (w) => ({ body: { url: `${w.receiverUrl}/ops`, eventTypes: ['delivery.lost'] }, field: 'eventTypes.0' }),
    foreign: (w) => [{ body: { url: `${w.receiverUrl}/ops` }, expect: 404 }],
  },
  'GET /operational-webhooks': {
    valid: () => ({ query: { limit: '200' } }),
    check: (b) => expect(b.data.every((x: Json) => /^owh_/.test(x.id) && !('secret' in x))).toBe(true),
    invalid: () => ({ query: { limit: '0' }, field: 'limit' }),
    foreign: () => [{ expect: 404 }],
  },
  'GET /operational-webhooks/{id}': {
    valid: async (w) => ({ params: { id: await freshOpsWebhook(w) } }),
    check: (b) => {
      expect(b).toMatchObject({ id: expect.stringMatching(/^owh_/), eventTypes: null, secretRotationEndsAt: null });
      expect(b).not.toHaveProperty('secret');
    },
    invalid: (w) => ({ params: { id: w.a.subscriptionId }, field: 'id' }),
  },
  'PATCH /operational-webhooks/{id}': {
    valid: async (w) => ({
      params: { id: await freshOpsWebhook(w) },
      body: { eventTypes: ['subscription.failing'], description: 'patched' },
    }),
    check: (b) => expect(b).toMatchObject({ eventTypes: ['subscription.failing'], description: 'patched' }),
    invalid: () => ({ params: { id: 'owh_01JZ3K8Q9V7W2X4Y6A8B0C2D4E' }, body: { url: '' }, field: 'url' }),
  },
  'DELETE /operational-webhooks/{id}': {
    valid: async (w) => ({ params: { id: await freshOpsWebhook(w) } }),
    check: async (b, w) => {
      expect(b).toMatchObject({ id: expect.stringMatching(/^owh_/), deleted: true });
      expect(
        (await w.rest('GET', '/operational-webhooks/{id}', { key: w.platformKey, params: { id: b.id } })).status,
      ).toBe(404);
    },
    invalid: () => ({ params: { id: 'owh_' }, field: 'id' }),
  },
  'POST /operational-webhooks/{id}/rotate-secret': {
    valid: async (w) => ({ params: { id: await freshOpsWebhook(w) } }),
    check: (b) =>
      expect(b).toMatchObject({ secret: expect.stringMatching(/^whsec_/), secretRotationEndsAt: expect.any(String) }),
    invalid: (w) => ({ params: { id: w.a.eventId }, field: 'id' }),
  },
  'GET /operational-webhooks/{id}/deliveries': {
    valid: async (w) => ({ params: { id: await freshOpsWebhook(w) }, query: { status: 'pending' } }),
    check: (b) => expect(b).toEqual({ data: [], nextCursor: null }),
    invalid: () => ({ params: { id: 'owh_01JZ3K8Q9V7W2X4Y6A8B0C2D4E' }, query: { status: 'lost' }, field: 'status' }),
  },
  'DELETE /replays/{id}': {
    valid: async (w) => ({
      key: w.r.key,
      owner: w.r.id,
      params: { id: (await ok(w.rest('POST', '/replays', { key: w.r.key, body: {} }))).id },
    }),
    check: (b, w) => expect(b).toMatchObject({ customerId: w.r.id, status: 'cancelled' }),
    invalid: () => ({ params: { id: 'evt_01JZ3K8Q9V7W2X4Y6A8B0C2D4E' }, field: 'id' }),
  },
};

/** A new operational webhook (platform key), pointing at the world's receiver. */
async function freshOpsWebhook(w: World): Promise<string> {
  return (
    await ok(
      w.rest('POST', '/operational-webhooks', { key: w.platformKey, body: { url: `${w.receiverUrl}/ops` } }),
      201,
    )
  ).id as string;
}

const keyOf = (r: RestRoute) => `${r.meta.method} ${r.meta.path}`;
const platformOnly = (r: RestRoute) => r.meta.auth === 'platform';
const hasId = (r: RestRoute) => r.params.length > 0;
const covered = restRoutes.filter((r) => cases[keyOf(r)]);
const caseOf = (r: RestRoute) => cases[keyOf(r)]!;

let ctx: TestCtx;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let rest: Rest;
let w: World;

beforeAll(async () => {
  ctx = await startTestContext('api_routes');
  receiver = await startReceiver();
  rest = restClient(ctx);
  w = await seedWorld(ctx, rest, receiver.url);
  // The catalog is shared: one entry every key can read.
  await ok(
    rest('POST', '/event-types', {
      key: w.platformKey,
      body: { name: 'order.created', description: 'An order was placed' },
    }),
    201,
  );
});

afterAll(async () => {
  await receiver?.close();
  await ctx?.close();
});

const call = (r: RestRoute, req: Req, key: string | undefined) =>
  rest(r.meta.method, r.meta.path, { key, params: req.params, query: req.query, body: req.body });
const defaultKey = (r: RestRoute, req: Req) => req.key ?? (platformOnly(r) ? w.platformKey : w.a.key);

/** Runs `fn` and asserts that nothing in the database changed meanwhile. */
const unchanged = <T>(fn: () => Promise<T>) => expectUnchanged(ctx, fn);

function expectError(res: { status: number; body: Json }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toMatchObject({ error: { code, message: expect.any(String) } });
  expect(res.body.error.message.length).toBeGreaterThan(5);
}

describe('the route table', () => {
  it('has a case for every REST route', () => {
    expect(restRoutes.filter((r) => !cases[keyOf(r)]).map(keyOf)).toEqual([]);
  });

  it('has no case for a route that does not exist', () => {
    const served = new Set(restRoutes.map(keyOf));
    expect(Object.keys(cases).filter((k) => !served.has(k))).toEqual([]);
  });

  it('serves every path of the contract, with those names', () => {
    const contract = [
      'POST /customers',
      'POST /customers/{id}/api-keys',
      'POST /customers/{id}/portal-link',
      'PATCH /customers/{id}',
      'DELETE /customers/{id}/data',
      'DELETE /events/{id}/payload',
      'POST /events',
      'POST /events/batch',
      'GET /events',
      'GET /events/{id}',
      'POST /subscriptions',
      'GET /subscriptions',
      'GET /subscriptions/{id}',
      'PATCH /subscriptions/{id}',
      'DELETE /subscriptions/{id}',
      'POST /subscriptions/{id}/rotate-secret',
      'POST /subscriptions/{id}/test',
      'POST /subscriptions/test-filter',
      'POST /subscriptions/test-transform',
      'POST /subscriptions/{id}/backfill',
      'GET /deliveries',
      'GET /deliveries/{id}',
      'POST /deliveries/{id}/replay',
      'POST /replays',
      'GET /replays/{id}',
      'DELETE /replays/{id}',
      'GET /subscriptions/{id}/stats',
      'POST /operational-webhooks',
      'GET /operational-webhooks',
      'GET /operational-webhooks/{id}',
      'PATCH /operational-webhooks/{id}',
      'DELETE /operational-webhooks/{id}',
    ];
    const served = new Set(restRoutes.map(keyOf));
    expect(contract.filter((k) => !served.has(k))).toEqual([]);
  });

  it('is documented in docs/api.md, each route with its auth scope', () => {
    const doc = readFileSync('docs/api.md', 'utf8');
    for (const r of restRoutes) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${keyOf(r)}\` |`));
      expect(row, `docs/api.md has no row for ${keyOf(r)}`).toBeDefined();
      expect(row).toContain(`| \`${r.procedure}\` | ${r.meta.status ?? 200} | ${r.meta.auth} |`);
    }
  });

  it('uses a route pattern only once per method', () => {
    const keys = restRoutes.map(keyOf);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe.each(covered.map((r) => [keyOf(r), r] as const))('%s', (_name, route) => {
  const c = caseOf(route);

  it('answers a valid request', async () => {
    const req = await c.valid(w);
    const res = await call(route, req, defaultKey(route, req));
    expect(res.status, JSON.stringify(res.body)).toBe(route.meta.status ?? 200);
    expect(JSON.stringify(res.body)).not.toContain(w.b.id);
    await c.check?.(res.body, w);
  });

  it('rejects invalid input with 400 naming the field, and changes nothing', async () => {
    const { field, ...req } = c.invalid(w);
    const res = await unchanged(() => call(route, req, defaultKey(route, req)));
    expectError(res, 400, 'bad_request');
    expect(res.body.error.field).toBe(field);
  });

  it('rejects a field it does not know with 400 naming it, and changes nothing', async () => {
    const req = await c.valid(w);
    const inQuery = route.meta.method === 'GET' || route.meta.method === 'DELETE';
    const res = await unchanged(() =>
      call(
        route,
        inQuery
          ? { ...req, query: { ...req.query, zz_unknown: '1' } }
          : { ...req, body: { ...req.body, zz_unknown: 1 } },
        defaultKey(route, req),
      ),
    );
    expectError(res, 400, 'bad_request');
    expect(res.body.error.field).toBe('zz_unknown');
    expect(res.body.errors).toEqual([{ field: 'zz_unknown', reason: 'unknown field' }]);
  });

  it('answers 401 without a key, with a malformed header, an unknown key and a revoked key, and changes nothing', async () => {
    const req = await c.valid(w);
    const revoked = await w.freshKey(w.a);
    await ok(rest('DELETE', '/api-keys/{id}', { key: w.a.key, params: { id: revoked.id } }));
    const headerSets: Record<string, string>[] = [
      {},
      { authorization: 'Basic dXNlcjpwYXNz' },
      { authorization: `Bearer hr_live_${'x'.repeat(40)}` },
      { authorization: `Bearer ${revoked.key}` },
    ];
    for (const headers of headerSets) {
      const res = await unchanged(() =>
        rest(route.meta.method, route.meta.path, { params: req.params, query: req.query, body: req.body, headers }),
      );
      expectError(res, 401, 'unauthorized');
    }
  });

  if (platformOnly(route)) {
    it('is refused to customer keys (403), even on their own customer, and changes nothing', async () => {
      const req = await c.valid(w);
      for (const key of [w.a.key, w.b.key]) expectError(await unchanged(() => call(route, req, key)), 403, 'forbidden');
    });
  }

  if (hasId(route) && c.shared) {
    it('shows B the same shared object', async () => {
      const req = await c.valid(w);
      const [forA, forB] = [await call(route, req, defaultKey(route, req)), await call(route, req, w.b.key)];
      expect(forB).toMatchObject({ status: 200, body: forA.body });
    });
  } else if (hasId(route)) {
    it(`hides A's object from B: ${platformOnly(route) ? '403' : '404'}, and changes nothing`, async () => {
      const req = await c.valid(w);
      const res = await unchanged(() => call(route, req, w.b.key));
      if (platformOnly(route)) expectError(res, 403, 'forbidden');
      else expectError(res, 404, 'not_found');
      expect(JSON.stringify(res.body)).not.toContain(w.a.key);
    });
  } else {
    it("lets B name none of A's data", async () => {
      const foreign = c.foreign?.(w);
      expect(foreign, `${keyOf(route)} needs a \`foreign\` entry`).toBeDefined();
      for (const f of foreign ?? []) {
        const res = await unchanged(() => call(route, f, w.b.key));
        if (platformOnly(route)) expectError(res, 403, 'forbidden');
        else if (f.expect === 404) expectError(res, 404, 'not_found');
        else expect(res).toMatchObject({ status: 200, body: { data: [], nextCursor: null } });
      }
    });
  }

  if (route.meta.method === 'GET' && !hasId(route) && !platformOnly(route)) {
    it("never lists A's data to B", async () => {
      const res = await call(route, {}, w.b.key);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeGreaterThan(0);
      const text = JSON.stringify(res.body);
      for (const id of [
        w.a.id,
        w.a.keyId,
        w.a.subscriptionId,
        w.a.eventId,
        w.a.deliveryId,
        w.a.broadcastDeliveryId,
        w.r.id,
      ])
        expect(text).not.toContain(id);
    });
  }

  if (route.meta.method !== 'GET') {
    it('is refused to a read-only dashboard session (403) over tRPC, and changes nothing', async () => {
      const req = await c.valid(w);
      const client = readOnlyTrpc(ctx, req.owner ?? w.a.id, 'user:read-only');
      const err = await unchanged(() =>
        failure(callProcedure(client, route.procedure, 'mutation', { ...req.params, ...req.body })),
      );
      expect(err?.data).toMatchObject({ httpStatus: 403, code: 'FORBIDDEN' });
    });
  }
});
