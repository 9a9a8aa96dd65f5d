import { z } from 'zod';
import { errorCodes } from '../domain/errors';
import { restRoutes } from './routes';

type JsonSchema = { type?: string; properties?: Record<string, JsonSchema>; required?: string[]; [k: string]: unknown };

/** A procedure's input as a JSON Schema (dates as `date-time` strings): the document's, and the API fuzzer's. */
export function inputSchema(schema: z.ZodType | undefined): JsonSchema {
  if (!schema) return { type: 'object', properties: {} };
  const js = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: (c) => {
      const def = (c.zodSchema as { _zod?: { def?: { type?: string } } })._zod?.def;
      if (def?.type === 'date') {
        c.jsonSchema.type = 'string';
        c.jsonSchema.format = 'date-time';
      }
    },
  }) as JsonSchema;
  delete js.$schema;
  return js.type === 'object' ? js : { type: 'object', properties: {} };
}

/** Points a schema's references at the document's components instead of its own `$defs`. */
function toComponentRefs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(toComponentRefs) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] =
      k === '$ref' && typeof v === 'string' ? v.replace(/^#\/\$defs\//, '#/components/schemas/') : toComponentRefs(v);
  return out as T;
}

/**
 * A procedure's output schema as a response schema: named schemas (`.meta({id})`, server/api/outputs/)
 * go to `components.schemas` and are referenced from there.
 */
function outputSchema(schema: z.ZodType | undefined, components: Record<string, JsonSchema>): JsonSchema {
  if (!schema) return { type: 'object' };
  const js = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema & {
    $defs?: Record<string, JsonSchema>;
  };
  delete js.$schema;
  for (const [name, def] of Object.entries(js.$defs ?? {})) components[name] = toComponentRefs(def);
  delete js.$defs;
  return toComponentRefs(js);
}

/** The OpenAPI 3.1 document of the REST API, generated from the same procedures and their zod inputs and outputs. */
export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, JsonSchema> = {};
  for (const r of restRoutes) {
    const schema = inputSchema(r.input);
    const props = { ...(schema.properties ?? {}) };
    const required = new Set(schema.required ?? []);
    const parameters: unknown[] = r.params.map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: props[name] ?? { type: 'string' },
    }));
    for (const p of r.params) delete props[p];
    // A header the route refuses is not a parameter of it (docs/api.md says why).
    for (const h of (r.meta.headerFields ?? []).filter((f) => !f.refused))
      parameters.push({
        name: h.header,
        in: 'header',
        required: false,
        description: h.description,
        schema: props[h.field] ?? { type: 'string' },
      });
    const op: Record<string, unknown> = {
      operationId: r.procedure,
      summary: r.meta.summary,
      tags: [r.meta.tag],
      description:
        r.meta.auth === 'platform'
          ? 'Requires a platform API key.'
          : 'A platform key acts for any customer; a customer key only for its own.',
      security: [{ bearerAuth: [] }],
      parameters,
      responses: {
        [String(r.meta.status ?? 200)]: {
          description: 'Success',
          content: { 'application/json': { schema: outputSchema(r.output, schemas) } },
        },
        '400': { $ref: '#/components/responses/Error' },
        '401': { $ref: '#/components/responses/Error' },
        '403': { $ref: '#/components/responses/Error' },
        '404': { $ref: '#/components/responses/Error' },
        '409': { $ref: '#/components/responses/Error' },
        '413': { $ref: '#/components/responses/Error' },
        '429': { $ref: '#/components/responses/Error' },
        '500': { $ref: '#/components/responses/Error' },
      },
    };
    if (r.meta.method === 'GET' || r.meta.method === 'DELETE') {
      for (const [name, s] of Object.entries(props))
        parameters.push({ name, in: 'query', required: required.has(name), schema: s });
    } else {
      const bodyRequired = [...required].filter((n) => !r.params.includes(n));
      op.requestBody = {
        required: bodyRequired.length > 0,
        // Strict inputs (zod's toJSONSchema says so for a strict object): a field not listed is a 400.
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: props,
              ...(bodyRequired.length && { required: bodyRequired }),
              ...(schema.additionalProperties === false && { additionalProperties: false }),
            },
          },
        },
      };
    }
    const oaPath = `/api/v1${r.meta.path}`;
    paths[oaPath] = { ...(paths[oaPath] ?? {}), [r.meta.method.toLowerCase()]: op };
  }
  paths['/api/v1/openapi.json'] = {
    get: {
      operationId: 'openapi',
      summary: 'This OpenAPI document',
      tags: ['meta'],
      security: [],
      responses: {
        '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hookrelay API',
      version: '1.0.0',
      description:
        'Webhook delivery: publish events, manage subscriptions, inspect deliveries and replay. Authenticate with `Authorization: Bearer <API key>`.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
      schemas: {
        ...Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code'],
              description: 'A 500 (`internal`) carries only `code` and `requestId`; every other error has a `message`',
              properties: {
                code: { type: 'string', enum: [...errorCodes] },
                message: { type: 'string' },
                field: { type: 'string', description: 'The offending field, when one is to blame' },
                requestId: {
                  type: 'string',
                  description: 'On a 500: the id under which the server logged what went wrong',
                },
              },
            },
            errors: {
              type: 'array',
              description:
                'On a 400: every problem of the input, one entry per field (`reason` is `unknown field` for a field the operation does not take)',
              items: {
                type: 'object',
                required: ['reason'],
                properties: {
                  field: { type: 'string' },
                  reason: { type: 'string' },
                  pointer: {
                    type: 'string',
                    description:
                      "JSON pointer (RFC 6901) within an event's `data`, when the event type's schema refused it",
                  },
                },
              },
            },
          },
        },
      },
      responses: {
        Error: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
    paths,
  };
}
