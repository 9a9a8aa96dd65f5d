import type { z } from 'zod';
import { inputSchema, openApiDocument } from '../../server/api/openapi';
import { appRouter } from '../../server/api/root';
import { TRPC_ENDPOINT } from '../../server/api/trpc-handler';
import { BASE_URL } from '../support/api';

/** The API fuzzer's operations: what a client can call, with the input schema of each. */

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  examples?: unknown[];
  default?: unknown;
  additionalProperties?: unknown;
  [k: string]: unknown;
};

export type Where = 'path' | 'query' | 'body';

/** One thing a client can call: a REST operation or a tRPC procedure. */
export type Op = {
  door: 'rest' | 'trpc';
  /** `POST /subscriptions/{id}` or `trpc subscriptions.update`. */
  name: string;
  procedure: string;
  /** Queries read; mutations may change state (checked to change nothing when refused). */
  kind: 'query' | 'mutation';
  method: string;
  /** REST path under /api/v1, with `{param}` placeholders. */
  path: string;
  /** The input object's schema (REST: path, query and body fields merged). */
  schema: JsonSchema;
  where: Record<string, Where>;
  platformOnly: boolean;
};

/** Every REST operation of the OpenAPI document and every tRPC procedure of the router. */
export function operations(): Op[] {
  const doc = openApiDocument(BASE_URL) as unknown as {
    paths: Record<
      string,
      Record<
        string,
        {
          operationId: string;
          parameters?: { name: string; in: string; required?: boolean; schema: JsonSchema }[];
          requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
        }
      >
    >;
  };
  const procs = appRouter._def.procedures as unknown as Record<
    string,
    { _def: { type: 'query' | 'mutation'; meta?: { rest?: { auth: string } }; inputs: z.ZodType[] } }
  >;
  const ops: Op[] = [];
  for (const [oaPath, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      const where: Record<string, Where> = {};
      for (const p of op.parameters ?? []) {
        properties[p.name] = p.schema;
        where[p.name] = p.in === 'path' ? 'path' : 'query';
        if (p.required) required.push(p.name);
      }
      const body = op.requestBody?.content['application/json'].schema;
      for (const [name, s] of Object.entries(body?.properties ?? {})) {
        properties[name] = s;
        where[name] = 'body';
      }
      required.push(...(body?.required ?? []));
      const proc = procs[op.operationId];
      const path = oaPath.replace(/^\/api\/v1/, '');
      ops.push({
        door: 'rest',
        name: `${method.toUpperCase()} ${path}`,
        procedure: op.operationId,
        kind: method === 'get' ? 'query' : 'mutation',
        method: method.toUpperCase(),
        path,
        schema: { type: 'object', properties, required },
        where,
        platformOnly: proc?._def.meta?.rest?.auth === 'platform',
      });
    }
  }
  for (const [name, p] of Object.entries(procs)) {
    const schema = inputSchema(p._def.inputs[0]) as JsonSchema;
    ops.push({
      door: 'trpc',
      name: `trpc ${name}`,
      procedure: name,
      kind: p._def.type,
      method: p._def.type === 'query' ? 'GET' : 'POST',
      path: `${TRPC_ENDPOINT}/${name}`,
      schema,
      where: Object.fromEntries(Object.keys(schema.properties ?? {}).map((k) => [k, 'body' as const])),
      platformOnly: p._def.meta?.rest?.auth === 'platform',
    });
  }
  return ops;
}

/** The id prefix an id field's pattern requires (`cus`, `sub`, …). */
export const ID_PREFIX = /^\^(cus|sub|evt|dlv|key|rpl|owh|att)_/;

/** The JSON types a schema allows; null when it allows any. */
export function schemaTypes(s: JsonSchema | undefined): Set<string> | null {
  if (!s) return null;
  const branch = s.anyOf ?? s.oneOf;
  if (branch) {
    const all = new Set<string>();
    for (const b of branch) {
      const t = schemaTypes(b);
      if (!t) return null;
      for (const x of t) all.add(x);
    }
    return all;
  }
  if (s.type === undefined) return null;
  const types = new Set(Array.isArray(s.type) ? s.type : [s.type]);
  if (types.has('number')) types.add('integer');
  return types;
}
