import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestContext, type TestCtx } from '../../tests/support/context';
import { restClient, snapshot, type Json, type Rest } from '../../tests/support/api';
import { platformScope } from '../domain/context';
import { createApiKey } from '../domain/tenants/api-keys';
import { createCustomer } from '../domain/tenants/customers';

/**
 * Values a schema took that PostgreSQL could not (found by the API fuzzer, tests/fuzz): a date in
 * the year -271821 or +275760 is a valid JavaScript Date but not a timestamp the database compares,
 * and an attempts cursor above 2^31 - 1 is not an integer column's value. Each was a 500 carrying
 * the failed SQL; each is now a 400 naming the field, and nothing changes.
 */
let ctx: TestCtx;
let rest: Rest;
let key: string;

beforeAll(async () => {
  ctx = await startTestContext('input_bounds');
  rest = restClient(ctx);
  const c = await createCustomer(ctx, platformScope, { name: 'Bounds' });
  key = (await createApiKey(ctx, c.id, 'test')).key;
});

afterAll(() => ctx?.close());

const expectBadField = (res: { status: number; body: Json }, field: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error).toMatchObject({
    code: 'bad_request',
    field,
    message: expect.stringContaining('years 1 to 9999'),
  });
};

it.each([
  ['GET', '/events', 'from', '-271821-04-20T00:00:00.000Z'],
  ['GET', '/deliveries', 'to', '+275760-09-13T00:00:00.000Z'],
  ['GET', '/audit-log', 'from', '+275760-09-13T00:00:00.000Z'],
  ['GET', '/usage', 'from', '-271821-04-20T00:00:00.000Z'],
  ['GET', '/usage', 'to', '+275760-09-13T00:00:00.000Z'],
])('%s %s with %s in the year -271821 or +275760 is a 400 naming it', async (method, path, field, value) => {
  expectBadField(await rest(method, path, { key, query: { [field]: value } }), field);
});

it('POST /replays with a date the database cannot hold is a 400 naming it, and starts nothing', async () => {
  const before = await snapshot(ctx);
  expectBadField(await rest('POST', '/replays', { key, body: { from: '-271821-04-20T00:00:00.000Z' } }), 'from');
  expect(await snapshot(ctx)).toEqual(before);
});

it('dates within the years 1 to 9999 are still taken', async () => {
  const res = await rest('GET', '/events', {
    key,
    query: { from: '0001-01-01T00:00:00.000Z', to: '9999-12-31T23:59:59.999Z' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
});

it('an attempts cursor above 2^31 - 1 is a 400 naming it', async () => {
  const res = await rest('GET', '/deliveries/{id}', {
    key,
    params: { id: 'dlv_00000000000000000000000000' },
    query: { attemptsCursor: '2147483648' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error).toMatchObject({ code: 'bad_request', field: 'attemptsCursor' });
});
