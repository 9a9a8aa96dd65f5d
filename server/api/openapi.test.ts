import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { CLIENT_TYPES_PATH, generateClientTypes, SNAPSHOT_PATH, snapshotDocument } from './client/generate';
import { restRoutes } from './routes';

/**
 * The OpenAPI document is part of the contract: a change to it is deliberate. It must equal the
 * committed snapshot, and the typed client's types must be the ones generated from that snapshot
 * (`pnpm openapi:snapshot` rewrites both; review the diff).
 */
type Op = {
  operationId: string;
  responses: Record<string, { $ref?: string; content?: { 'application/json': { schema: Record<string, unknown> } } }>;
};

const current = snapshotDocument();
const doc = JSON.parse(current) as {
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, Record<string, unknown>> };
};
const operations = Object.values(doc.paths).flatMap((ops) => Object.values(ops));

describe('the OpenAPI snapshot', () => {
  it('equals the document the API generates (run `pnpm openapi:snapshot` and review the diff)', () => {
    expect(JSON.parse(readFileSync(SNAPSHOT_PATH, 'utf8'))).toEqual(JSON.parse(current));
  });

  it('the committed client types are generated from it (run `pnpm openapi:snapshot`)', async () => {
    expect(readFileSync(CLIENT_TYPES_PATH, 'utf8')).toBe(await generateClientTypes(current));
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
  });
});

describe('responses', () => {
  it('every REST operation declares the schema of its success answer (no bare object)', () => {
    expect(restRoutes.filter((r) => !r.output).map((r) => r.procedure)).toEqual([]);
    for (const r of restRoutes) {
      const op = doc.paths[`/api/v1${r.meta.path}`]![r.meta.method.toLowerCase()]!;
      const schema = op.responses[String(r.meta.status ?? 200)]!.content!['application/json'].schema;
      expect(schema, r.procedure).not.toEqual({ type: 'object' });
      const resolved =
        typeof schema.$ref === 'string'
          ? doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]
          : schema;
      expect(resolved, `${r.procedure}: ${JSON.stringify(schema)}`).toMatchObject({
        type: 'object',
        properties: expect.any(Object),
        additionalProperties: false,
      });
    }
  });

  it('every error response references the one Error schema', () => {
    for (const op of operations) {
      const errors = Object.entries(op.responses).filter(([status]) => !status.startsWith('2'));
      for (const [, res] of errors) expect(res, op.operationId).toEqual({ $ref: '#/components/responses/Error' });
    }
    expect(doc.components.schemas.Error).toMatchObject({
      required: ['error'],
      // A 500 carries only its code and the request id; every other error has a message too.
      properties: {
        error: { required: ['code'], properties: { message: { type: 'string' }, requestId: { type: 'string' } } },
        errors: { type: 'array' },
      },
    });
  });

  it('names the shared shapes as components', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'Subscription',
        'Delivery',
        'DeliveryDetail',
        'Event',
        'Customer',
        'BulkReplay',
        'Error',
      ]),
    );
    const list = doc.paths['/api/v1/subscriptions']!.get!.responses['200']!.content!['application/json'].schema;
    expect(doc.components.schemas[String(list.$ref).split('/').pop()!]).toMatchObject({
      properties: { data: { items: { $ref: '#/components/schemas/Subscription' } } },
    });
  });
});
