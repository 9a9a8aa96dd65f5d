import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiBed } from '../../tests/support/api-world';
import type { TestCtx } from '../../tests/support/context';
import { BASE_URL, typedClient, type Json, type Rest } from '../../tests/support/api';
import { createApiKey } from '../domain/tenants/api-keys';
import { createCustomer } from '../domain/tenants/customers';
import { platformScope } from '../domain/context';
import { restRoutes } from './rest';

/**
 * The OpenAPI document is generated from the same procedures and zod inputs as REST: it validates,
 * it lists every route, and requests built from it alone (path, method, body from its schema's
 * examples) are accepted by the API.
 */
type Operation = {
  operationId: string;
  description?: string;
  parameters?: Array<{ name: string; in: string; required: boolean; schema: Json }>;
  requestBody?: {
    required: boolean;
    content: { 'application/json': { schema: { properties: Record<string, Json>; required?: string[] } } };
  };
  responses: Record<string, unknown>;
};

let api: ApiBed;
let ctx: TestCtx;
let rest: Rest;
let doc: Json;
let platformKey: string;
let customerKey: string;

beforeAll(async () => {
  api = await startApi('api_openapi');
  ({ ctx, rest, platformKey } = api);
  const c = await createCustomer(ctx, platformScope, { name: 'Docs Reader' });
  customerKey = (await createApiKey(ctx, c.id, 'test')).key;
  const res = await rest('GET', '/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});

afterAll(() => api?.stop());

const operations = (): Array<{ path: string; method: string; op: Operation }> =>
  Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method, op })),
  );

describe('the OpenAPI document', () => {
  it('is the committed snapshot (server/api/__snapshots__/openapi.json) but for the server URL', async () => {
    const { SNAPSHOT_SERVER_URL, snapshotDocument } = await import('./client/generate');
    expect({ ...doc, servers: [{ url: SNAPSHOT_SERVER_URL }] }).toEqual(JSON.parse(snapshotDocument()));
  });

  it('is served without a key and is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: BASE_URL }]);
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });

  it('documents every REST route, once, under its procedure name', () => {
    const documented = operations().map((o) => `${o.method.toUpperCase()} ${o.path}`);
    for (const r of restRoutes) {
      expect(documented).toContain(`${r.meta.method} /api/v1${r.meta.path}`);
      const op = doc.paths[`/api/v1${r.meta.path}`][r.meta.method.toLowerCase()] as Operation;
      expect(op.operationId).toBe(r.procedure);
      expect(op.responses).toHaveProperty(String(r.meta.status ?? 200));
      expect(op.responses).toHaveProperty('400');
    }
    expect(documented).toContain('GET /api/v1/openapi.json');
    expect(documented).toHaveLength(restRoutes.length + 1);
  });

  it('forbids fields it does not list in every request body, nested objects included', () => {
    const bodies = operations().filter((o) => o.op.requestBody);
    expect(bodies.length).toBeGreaterThan(5);
    for (const { op } of bodies)
      expect(op.requestBody!.content['application/json'].schema, op.operationId).toMatchObject({
        type: 'object',
        additionalProperties: false,
      });
    const sub = doc.paths['/api/v1/subscriptions'].post as Operation;
    expect(sub.requestBody!.content['application/json'].schema.properties.retryPolicy).toMatchObject({
      additionalProperties: false,
    });
  });

  it('documents that a publish names a customer or asks for a broadcast', () => {
    const props = (doc.paths['/api/v1/events'].post as Operation).requestBody!.content['application/json'].schema
      .properties;
    expect(props.broadcast).toMatchObject({ type: 'boolean', description: expect.stringContaining('every customer') });
    expect(props.customerId.description).toMatch(/broadcast/);
  });

  it('documents the errors list of a 400', () => {
    expect(doc.components.schemas.Error.properties.errors).toMatchObject({
      type: 'array',
      items: { type: 'object', required: ['reason'] },
    });
  });

  it('says which operations need a platform key', () => {
    for (const r of restRoutes) {
      const op = doc.paths[`/api/v1${r.meta.path}`][r.meta.method.toLowerCase()] as Operation;
      expect(op.description?.includes('platform API key') ?? false, r.procedure).toBe(r.meta.auth === 'platform');
    }
  });
});

describe('requests built from the document alone', () => {
  const keyFor = (op: Operation) =>
    op.description?.includes('Requires a platform API key') ? platformKey : customerKey;

  it('create what its POST operations describe, from the examples of their required fields', async () => {
    const creators = operations().filter((o) => o.method === 'post' && !o.path.includes('{'));
    expect(creators.map((o) => o.op.operationId)).toEqual(
      expect.arrayContaining(['customers.create', 'events.publish', 'subscriptions.create', 'replays.create']),
    );
    for (const { path, method, op } of creators) {
      const schema = op.requestBody!.content['application/json'].schema;
      const body = Object.fromEntries(
        (schema.required ?? []).map((name) => [name, schema.properties[name].examples?.[0]]),
      );
      for (const [name, v] of Object.entries(body))
        expect(v, `${op.operationId}: example for required ${name}`).toBeDefined();
      const res = await rest(method.toUpperCase(), path.replace('/api/v1', ''), { key: keyFor(op), body });
      const success = Object.keys(op.responses).find((s) => s.startsWith('2'))!;
      expect(res.status, `${op.operationId}: ${JSON.stringify(res.body)}`).toBe(Number(success));
    }
  });

  it('answer the GET operations that need no parameters', async () => {
    const lists = operations().filter(
      (o) => o.method === 'get' && !o.path.includes('{') && (o.op.parameters ?? []).every((p) => !p.required),
    );
    expect(lists.length).toBeGreaterThan(4);
    for (const { path, op } of lists) {
      const res = await rest('GET', path.replace('/api/v1', ''), { key: keyFor(op) });
      expect(res.status, `${op.operationId}: ${JSON.stringify(res.body)}`).toBe(200);
    }
  });

  it('reject what the schema forbids, as the document says (400 naming the field)', async () => {
    const op = doc.paths['/api/v1/events'].get as Operation;
    const limit = op.parameters!.find((p) => p.name === 'limit')!;
    const res = await rest('GET', '/events', { key: customerKey, query: { limit: String(limit.schema.maximum + 1) } });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('limit');
  });
});

describe('the typed client generated from the document (server/api/client)', () => {
  it('drives the API end to end: customer, key, subscription, event, reads; errors come typed', async () => {
    const platform = typedClient(ctx, platformKey);
    const customer = await platform.POST('/api/v1/customers', { body: { name: 'Typed' } });
    expect(customer.response.status).toBe(201);
    const customerId = customer.data!.id;
    const key = await platform.POST('/api/v1/customers/{id}/api-keys', {
      params: { path: { id: customerId } },
      body: { name: 'typed', scopes: ['publish', 'read', 'manage', 'keys'] },
    });
    const api = typedClient(ctx, key.data!.key);

    const sub = await api.POST('/api/v1/subscriptions', {
      body: { url: 'http://127.0.0.1:9/typed', eventTypes: ['order.*'], signatureScheme: 'v1a' },
    });
    expect(sub.data).toMatchObject({
      customerId,
      signatureScheme: 'v1a',
      secret: expect.stringMatching(/^whpk_/),
      breaker: { state: 'closed' },
    });
    const sent = await api.POST('/api/v1/events', { body: { type: 'order.created', data: { n: 1 } } });
    expect(sent.data).toEqual({ id: expect.stringMatching(/^evt_/), deliveries: 1, duplicate: false });

    const events = await api.GET('/api/v1/events', { params: { query: { type: 'order.*', limit: 10 } } });
    expect(events.data!.data.map((e) => e.id)).toEqual([sent.data!.id]);
    const event = await api.GET('/api/v1/events/{id}', { params: { path: { id: sent.data!.id } } });
    expect(event.data!.routing).toEqual([
      expect.objectContaining({ subscriptionId: sub.data!.id, decision: 'matched', matched: true }),
    ]);
    const deliveries = await api.GET('/api/v1/deliveries', { params: { query: { eventId: sent.data!.id } } });
    expect(deliveries.data!.data[0]).toMatchObject({ status: 'pending', subscriptionId: sub.data!.id });

    const refused = await api.PATCH('/api/v1/subscriptions/{id}', {
      params: { path: { id: sub.data!.id } },
      body: { timeoutMs: 5 },
    });
    expect(refused.response.status).toBe(400);
    expect(refused.error).toMatchObject({
      error: { code: 'bad_request', field: 'timeoutMs' },
      errors: [{ field: 'timeoutMs', reason: expect.any(String) }],
    });
    const other = await api.GET('/api/v1/customers/{id}', {
      params: { path: { id: 'cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E' } },
    });
    expect(other.response.status).toBe(404);
    expect(other.error?.error.code).toBe('not_found');
  });
});
