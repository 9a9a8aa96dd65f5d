import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, events } from '../../drizzle/schema';
import { expectUnchanged, failure, restClient, trpcClient, type Json, type Rest } from '../../tests/support/api';
import { createTenant, ok, startApiEngine, type ApiEngine } from '../../tests/support/api-world';
import { createTestContext, type TestCtx } from '../../tests/support/context';
import { deliveriesOf, waitForStatus } from '../../tests/support/engine';
import { customerScope } from '../domain/context';
import { publishEventBatched } from '../domain/events/group-commit';

/**
 * The event-type catalog: written by the platform, read by anyone, archived rather than deleted;
 * a type's JSON Schema validates `data` at publish (400 naming each failing JSON pointer, nothing
 * stored), and EVENT_TYPES_STRICT refuses types outside the catalog.
 */
let engine: ApiEngine;
let rest: Rest;
let platformKey: string;
let customer: { id: string; key: string };

const orderSchema = {
  type: 'object',
  required: ['amount', 'currency'],
  properties: {
    amount: { type: 'integer', minimum: 0 },
    currency: { enum: ['eur', 'usd'] },
    customer: { type: 'object', properties: { email: { type: 'string', format: 'email' } } },
  },
};

beforeAll(async () => {
  engine = await startApiEngine('event_types');
  ({ rest, platformKey } = engine);
  customer = await createTenant(rest, platformKey, 'Catalog reader');
});

afterAll(async () => {
  await engine?.stop();
});

async function unchanged<T>(fn: () => Promise<T>): Promise<T> {
  // The worker may still be delivering an earlier test's events: let it settle first, so the
  // snapshots differ only by what `fn` did.
  await expect
    .poll(() => engine.ctx.db.$count(deliveries, eq(deliveries.status, 'pending')), { timeout: 30_000 })
    .toBe(0);
  return expectUnchanged(engine.ctx, fn);
}

const eventCount = async () => (await engine.ctx.db.select({ id: events.id }).from(events)).length;

describe('the catalog', () => {
  it('is written by the platform and read by customers', async () => {
    const created = await ok(
      rest('POST', '/event-types', {
        key: platformKey,
        body: {
          name: 'order.created',
          description: 'An order was placed',
          schema: orderSchema,
          example: { amount: 4200, currency: 'eur' },
        },
      }),
      201,
    );
    expect(created).toEqual({
      name: 'order.created',
      description: 'An order was placed',
      schema: orderSchema,
      example: { amount: 4200, currency: 'eur' },
      archived: false,
      archivedAt: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    await ok(rest('POST', '/event-types', { key: platformKey, body: { name: 'invoice.paid' } }), 201);
    const list = await ok(rest('GET', '/event-types', { key: customer.key }));
    expect(list.data.map((t: Json) => t.name)).toEqual(['invoice.paid', 'order.created']);
    expect(
      await ok(rest('GET', '/event-types/{name}', { key: customer.key, params: { name: 'order.created' } })),
    ).toEqual(created);
    const page1 = await ok(rest('GET', '/event-types', { key: customer.key, query: { limit: '1' } }));
    expect(page1).toMatchObject({ data: [{ name: 'invoice.paid' }], nextCursor: 'invoice.paid' });
    expect(
      (await ok(rest('GET', '/event-types', { key: customer.key, query: { limit: '1', cursor: 'invoice.paid' } })))
        .data[0].name,
    ).toBe('order.created');
    expect(await trpcClient(engine.ctx, customer.key).eventTypes.list.query({})).toMatchObject({
      data: [{ name: 'invoice.paid' }, { name: 'order.created' }],
    });
  });

  it('refuses customer keys every write (403), over REST and tRPC, and changes nothing', async () => {
    for (const [method, path, body] of [
      ['POST', '/event-types', { name: 'customer.made' }],
      ['PATCH', '/event-types/{name}', { description: 'mine now' }],
      ['DELETE', '/event-types/{name}', undefined],
    ] as const) {
      const res = await unchanged(() =>
        rest(method, path, { key: customer.key, params: { name: 'order.created' }, ...(body && { body }) }),
      );
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    const err = await unchanged(() =>
      failure(trpcClient(engine.ctx, customer.key).eventTypes.create.mutate({ name: 'customer.made' })),
    );
    expect(err?.data).toMatchObject({ httpStatus: 403, code: 'FORBIDDEN' });
    const badSchema = await unchanged(() =>
      failure(
        trpcClient(engine.ctx, platformKey).eventTypes.create.mutate({
          name: 'bad.trpc',
          schema: { type: 'object', minProperties: 'two' },
        }),
      ),
    );
    expect(badSchema?.data).toMatchObject({ httpStatus: 400, code: 'BAD_REQUEST', field: 'schema' });
    expect(badSchema?.message).toContain('minProperties');
  });

  it('refuses an invalid schema, an example the schema refuses, a taken name and an unknown one', async () => {
    const bad = await unchanged(() =>
      rest('POST', '/event-types', {
        key: platformKey,
        body: { name: 'bad.schema', schema: { type: 'object', properties: { amount: { type: 'money' } } } },
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: 'bad_request',
      field: 'schema',
      message: expect.stringContaining('schema is not a valid JSON Schema (2020-12)'),
    });
    const typo = await unchanged(() =>
      rest('POST', '/event-types', {
        key: platformKey,
        body: { name: 'bad.schema', schema: { type: 'object', requried: ['a'] } },
      }),
    );
    expect(typo.body.error.message).toContain('unknown keyword: "requried"');
    const nested = await unchanged(() =>
      rest('POST', '/event-types', {
        key: platformKey,
        body: { name: 'bad.pattern', schema: { properties: { sku: { type: 'string', pattern: '^(\\w+)*$' } } } },
      }),
    );
    expect(nested.status).toBe(400);
    expect(nested.body.error).toMatchObject({
      code: 'bad_request',
      field: 'schema.properties.sku.pattern',
      message: expect.stringContaining('nests a repetition'),
    });
    const example = await unchanged(() =>
      rest('POST', '/event-types', {
        key: platformKey,
        body: { name: 'bad.example', schema: orderSchema, example: { amount: -5 } },
      }),
    );
    expect(example.status).toBe(400);
    expect(example.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: 'example.amount',
          pointer: '/amount',
          reason: expect.stringContaining('the example does not satisfy the schema: /amount must be >= 0'),
        }),
        expect.objectContaining({ field: 'example.currency', pointer: '/currency' }),
      ]),
    );
    const name = await unchanged(() =>
      rest('POST', '/event-types', { key: platformKey, body: { name: 'order created!' } }),
    );
    expect(name.body.error.field).toBe('name');
    const taken = await unchanged(() =>
      rest('POST', '/event-types', { key: platformKey, body: { name: 'order.created' } }),
    );
    expect(taken.status).toBe(409);
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const res = await rest(method, '/event-types/{name}', {
        key: platformKey,
        params: { name: 'never.defined' },
        ...(method === 'PATCH' && { body: { description: 'x' } }),
      });
      expect(res.status, method).toBe(404);
    }
    const patchBad = await unchanged(() =>
      rest('PATCH', '/event-types/{name}', {
        key: platformKey,
        params: { name: 'order.created' },
        body: { example: { amount: 'lots', currency: 'eur' } },
      }),
    );
    expect(patchBad.body.errors).toEqual([expect.objectContaining({ field: 'example.amount', pointer: '/amount' })]);
  });

  it('archives on delete: hidden from the list unless asked for; subscriptions to the type keep working; restorable', async () => {
    await ok(
      rest('POST', '/event-types', { key: platformKey, body: { name: 'legacy.ping', description: 'Old' } }),
      201,
    );
    const r = await engine.receiver();
    await ok(
      rest('POST', '/subscriptions', {
        key: customer.key,
        body: { url: `${r.url}/hook`, eventTypes: ['legacy.ping'] },
      }),
      201,
    );
    const archived = await ok(
      rest('DELETE', '/event-types/{name}', { key: platformKey, params: { name: 'legacy.ping' } }),
    );
    expect(archived).toMatchObject({ name: 'legacy.ping', archived: true, archivedAt: expect.any(String) });
    expect(
      (await ok(rest('DELETE', '/event-types/{name}', { key: platformKey, params: { name: 'legacy.ping' } })))
        .archivedAt,
    ).toBe(archived.archivedAt);
    expect((await ok(rest('GET', '/event-types', { key: customer.key }))).data.map((t: Json) => t.name)).not.toContain(
      'legacy.ping',
    );
    expect(
      (await ok(rest('GET', '/event-types', { key: customer.key, query: { archived: 'true' } }))).data.map(
        (t: Json) => t.name,
      ),
    ).toContain('legacy.ping');
    expect(
      await ok(rest('GET', '/event-types/{name}', { key: customer.key, params: { name: 'legacy.ping' } })),
    ).toMatchObject({ archived: true });

    const e = await ok(rest('POST', '/events', { key: customer.key, body: { type: 'legacy.ping', data: {} } }), 202);
    expect(e.deliveries).toBe(1);
    await r.waitFor(1);

    const again = await rest('POST', '/event-types', { key: platformKey, body: { name: 'legacy.ping' } });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('archived');
    expect(
      await ok(
        rest('PATCH', '/event-types/{name}', {
          key: platformKey,
          params: { name: 'legacy.ping' },
          body: { archived: false },
        }),
      ),
    ).toMatchObject({
      archived: false,
      archivedAt: null,
    });
    expect((await ok(rest('GET', '/event-types', { key: customer.key }))).data.map((t: Json) => t.name)).toContain(
      'legacy.ping',
    );
  });
});

describe('publishing a type with a schema', () => {
  it('refuses data the schema refuses, naming every failing JSON pointer; nothing is stored', async () => {
    const before = await eventCount();
    const res = await unchanged(() =>
      rest('POST', '/events', {
        key: customer.key,
        body: { type: 'order.created', data: { amount: -1, customer: { email: 'nope' } } },
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'bad_request',
      field: 'data.currency',
      message: 'data.currency: /currency is required',
    });
    expect(res.body.errors).toEqual([
      { field: 'data.currency', pointer: '/currency', reason: '/currency is required' },
      { field: 'data.amount', pointer: '/amount', reason: '/amount must be >= 0' },
      { field: 'data.customer.email', pointer: '/customer/email', reason: '/customer/email must match format "email"' },
    ]);
    const err = await unchanged(() =>
      failure(
        trpcClient(engine.ctx, customer.key).events.publish.mutate({ type: 'order.created', data: 'not an object' }),
      ),
    );
    expect(err?.data).toMatchObject({
      httpStatus: 400,
      code: 'BAD_REQUEST',
      field: 'data',
      errors: [{ field: 'data', pointer: '', reason: '/ must be object' }],
    });
    expect(await eventCount()).toBe(before);
    expect(
      (
        await ok(
          rest('POST', '/events', {
            key: customer.key,
            body: { type: 'order.created', data: { amount: 5, currency: 'usd' } },
          }),
          202,
        )
      ).id,
    ).toMatch(/^evt_/);
  });

  it('validates each event of a group commit on its own: the invalid ones get their 400, the rest are accepted', async () => {
    const before = await eventCount();
    const settled = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        publishEventBatched(engine.ctx, customerScope(customer.id), {
          type: 'order.created',
          data: i % 2 ? { amount: i, currency: 'eur' } : { amount: `${i}`, currency: 'eur' },
        }),
      ),
    );
    expect(settled.map((s) => s.status)).toEqual([
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    for (const s of settled.filter((x) => x.status === 'rejected')) {
      expect(s.reason).toMatchObject({ code: 'bad_request', field: 'data.amount' });
    }
    expect(await eventCount()).toBe(before + 3);
  });

  it('follows the schema as it changes, and stops validating when it is removed', async () => {
    await ok(
      rest('POST', '/event-types', {
        key: platformKey,
        body: { name: 'price.changed', schema: { type: 'object', required: ['price'] } },
      }),
      201,
    );
    expect(
      (await rest('POST', '/events', { key: customer.key, body: { type: 'price.changed', data: { cost: 1 } } })).status,
    ).toBe(400);
    await ok(
      rest('PATCH', '/event-types/{name}', {
        key: platformKey,
        params: { name: 'price.changed' },
        body: { schema: { type: 'object', required: ['cost'] } },
      }),
    );
    expect(
      (await rest('POST', '/events', { key: customer.key, body: { type: 'price.changed', data: { cost: 1 } } })).status,
    ).toBe(202);
    const refused = await rest('POST', '/events', {
      key: customer.key,
      body: { type: 'price.changed', data: { price: 1 } },
    });
    expect(refused.body.errors).toEqual([{ field: 'data.cost', pointer: '/cost', reason: '/cost is required' }]);
    await ok(
      rest('PATCH', '/event-types/{name}', {
        key: platformKey,
        params: { name: 'price.changed' },
        body: { schema: null },
      }),
    );
    expect(
      (await rest('POST', '/events', { key: customer.key, body: { type: 'price.changed', data: 'anything' } })).status,
    ).toBe(202);
  });

  it('delivers an accepted event as usual', async () => {
    const r = await engine.receiver();
    await ok(
      rest('POST', '/subscriptions', {
        key: customer.key,
        body: { url: `${r.url}/hook`, eventTypes: ['order.created'] },
      }),
      201,
    );
    const e = await ok(
      rest('POST', '/events', {
        key: customer.key,
        body: { type: 'order.created', data: { amount: 7, currency: 'eur' } },
      }),
      202,
    );
    const [d] = await deliveriesOf(engine.ctx, e.id);
    await waitForStatus(engine.ctx, d!.id, 'succeeded');
    expect(JSON.parse(r.received[0]!.body).data).toEqual({ amount: 7, currency: 'eur' });
  });
});

describe('EVENT_TYPES_STRICT', () => {
  let strict: TestCtx;
  let strictRest: Rest;
  beforeAll(async () => {
    strict = await createTestContext(engine.url, { eventTypesStrict: true });
    strictRest = restClient(strict);
  });
  afterAll(async () => {
    await strict?.close();
  });

  it('off (the default): a type outside the catalog is accepted', async () => {
    expect(
      (await rest('POST', '/events', { key: customer.key, body: { type: 'not.in.catalog', data: {} } })).status,
    ).toBe(202);
  });

  it('on: a type outside the catalog is a 400 naming type; listed (even archived) types are accepted', async () => {
    const before = await eventCount();
    const res = await strictRest('POST', '/events', { key: customer.key, body: { type: 'not.in.catalog', data: {} } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ field: 'type', message: expect.stringContaining('not in the catalog') });
    const settled = await Promise.allSettled([
      publishEventBatched(strict, customerScope(customer.id), { type: 'unknown.one', data: {} }),
      publishEventBatched(strict, customerScope(customer.id), { type: 'invoice.paid', data: {} }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled']);
    expect(await eventCount()).toBe(before + 1);
    await ok(rest('DELETE', '/event-types/{name}', { key: platformKey, params: { name: 'invoice.paid' } }));
    expect(
      (await strictRest('POST', '/events', { key: customer.key, body: { type: 'invoice.paid', data: {} } })).status,
    ).toBe(202);
    const [row] = await engine.ctx.db.select({ type: events.type }).from(events).where(eq(events.type, 'unknown.one'));
    expect(row).toBeUndefined();
  });
});
