import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { bearerContext } from '../../server/api/bearer';
import { createHookrelayClient, type HookrelayClient } from '../../server/api/client';
import { createRateLimiter, type RateLimiter } from '../../server/api/rate-limit';
import { handleRest } from '../../server/api/rest';
import type { AppRouter } from '../../server/api/root';
import type { ApiContext } from '../../server/api/trpc';
import { serveTrpc, TRPC_ENDPOINT } from '../../server/api/trpc-handler';
import { customerScope, type Ctx } from '../../server/domain/context';

/**
 * Drives the real API doors in-process: REST through handleRest, tRPC through a real tRPC client whose
 * fetch calls the same handler the Next route uses. No Next server, no mocks: real PostgreSQL and pg-boss.
 */
export const BASE_URL = 'http://hookrelay.test';

/** Generous enough never to trip in a test that is not about rate limits. */
export const roomyLimiter = () => createRateLimiter({ perSecond: 100_000, burst: 100_000 });

/** The API's JSON, read loosely: tests assert on its shape. */
export type Json = any;

export type RestCall = {
  key?: string | undefined;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
};
export type RestResult = { status: number; headers: Headers; body: Json };

export function restClient(ctx: Ctx, opts: { rateLimiter?: RateLimiter } = {}) {
  const rateLimiter = opts.rateLimiter ?? roomyLimiter();
  /** `path` may hold `{name}` placeholders filled from `params`. */
  return async function call(method: string, path: string, c: RestCall = {}): Promise<RestResult> {
    const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const v = c.params?.[name];
      if (v === undefined) throw new Error(`no value for {${name}} in ${path}`);
      return encodeURIComponent(v);
    });
    const url = new URL(`/api/v1${filled}`, BASE_URL);
    for (const [k, v] of Object.entries(c.query ?? {})) url.searchParams.set(k, v);
    const body = c.rawBody ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
    const headers: Record<string, string> = {
      ...(c.key && { authorization: `Bearer ${c.key}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...c.headers,
    };
    const res = await handleRest(new Request(url, { method, headers, body }), filled, ctx, BASE_URL, { rateLimiter });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
}
export type Rest = ReturnType<typeof restClient>;

/** The typed client generated from the OpenAPI document (server/api/client), calling the REST handler in-process. */
export function typedClient(ctx: Ctx, key: string, opts: { rateLimiter?: RateLimiter } = {}): HookrelayClient {
  const rateLimiter = opts.rateLimiter ?? roomyLimiter();
  return createHookrelayClient({
    baseUrl: BASE_URL,
    apiKey: key,
    fetch: (req) =>
      handleRest(req, new URL(req.url).pathname.replace(/^\/api\/v1/, ''), ctx, BASE_URL, { rateLimiter }),
  });
}

/** The REST API over real HTTP on 127.0.0.1 (for clients in other processes, e.g. the CLI). */
export async function serveRest(ctx: Ctx): Promise<{ url: string; close(): Promise<void> }> {
  const rateLimiter = roomyLimiter();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
        const body = chunks.length && req.method !== 'GET' && req.method !== 'HEAD' ? Buffer.concat(chunks) : undefined;
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
        const out = await handleRest(
          new Request(url, { method: req.method, headers, body }),
          url.pathname.replace(/^\/api\/v1/, ''),
          ctx,
          `http://${req.headers.host}`,
          { rateLimiter },
        );
        res.writeHead(out.status, Object.fromEntries(out.headers));
        res.end(Buffer.from(await out.arrayBuffer()));
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * A tRPC client authenticated by `key` (none: anonymous); `context` overrides who is calling (e.g. a
 * read-only session); `headers` go with every request (e.g. a `traceparent`).
 */
export function trpcClient(
  ctx: Ctx,
  key?: string,
  opts: {
    rateLimiter?: RateLimiter;
    context?: () => Promise<ApiContext>;
    maxBodyBytes?: number;
    headers?: Record<string, string>;
  } = {},
): TRPCClient<AppRouter> {
  const rateLimiter = opts.rateLimiter ?? roomyLimiter();
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${BASE_URL}${TRPC_ENDPOINT}`,
        headers: { ...opts.headers, ...(key && { authorization: `Bearer ${key}` }) },
        fetch: async (input, init) => {
          // Declare the body's length, as a client sending over HTTP does.
          const headers = new Headers(init?.headers);
          if (typeof init?.body === 'string') headers.set('content-length', String(Buffer.byteLength(init.body)));
          const req = new Request(input, { ...init, headers });
          return serveTrpc(req, opts.context ?? (() => bearerContext(ctx, req, { baseUrl: BASE_URL, rateLimiter })), {
            maxBodyBytes: opts.maxBodyBytes ?? ctx.config.maxPayloadBytes,
          });
        },
      }),
    ],
  });
}

/** A tRPC client of a read-only session of `customerId` (a dashboard user who may only read). */
export function readOnlyTrpc(ctx: Ctx, customerId: string, principalId = 'user:ro'): TRPCClient<AppRouter> {
  return trpcClient(ctx, undefined, {
    context: async () => ({
      ctx,
      scope: customerScope(customerId, true),
      principalId,
      baseUrl: BASE_URL,
      rateLimiter: roomyLimiter(),
    }),
  });
}

/** What `p` was rejected with (a tRPC client's error, read loosely), or null when it succeeded. */
export const failure = (p: Promise<unknown>): Promise<Json> =>
  p.then(
    () => null,
    (e: unknown) => e as Json,
  );

/** Calls a procedure by its dotted name (`subscriptions.update`), for tests generated from the route list. */
export async function callProcedure(
  client: TRPCClient<AppRouter>,
  procedure: string,
  kind: 'query' | 'mutation',
  input: unknown,
): Promise<unknown> {
  const [group, name] = procedure.split('.') as [string, string];
  const proc = (
    client as unknown as Record<
      string,
      Record<string, { query(i: unknown): Promise<unknown>; mutate(i: unknown): Promise<unknown> }>
    >
  )[group]![name]!;
  return kind === 'query' ? proc.query(input) : proc.mutate(input);
}

/**
 * A fingerprint of everything a request could change: every product table (API keys without
 * last_used_at, which authentication touches) and the delivery and fan-out jobs. Equal before and after a
 * rejected request means it changed nothing.
 */
export async function snapshot(ctx: Ctx): Promise<Record<string, string>> {
  const tables = [
    'customers',
    'users',
    'portal_tokens',
    'subscriptions',
    'events',
    'deliveries',
    'attempts',
    'bulk_replays',
    'bulk_replay_items',
    'event_types',
  ];
  const out: Record<string, string> = {};
  for (const t of tables) {
    const rows = await ctx.db.execute<{ n: number; h: string | null }>(
      sql.raw(`select count(*)::int as n, md5(string_agg(t::text, '|' order by t::text)) as h from "${t}" t`),
    );
    out[t] = `${rows[0]!.n}:${rows[0]!.h ?? ''}`;
  }
  const keys = await ctx.db.execute<{ n: number; h: string | null }>(
    sql`select count(*)::int as n, md5(string_agg((id, customer_id, name, prefix, key_hash, revoked_at)::text, '|' order by id)) as h from api_keys`,
  );
  out.api_keys = `${keys[0]!.n}:${keys[0]!.h ?? ''}`;
  const jobs = await ctx.db.execute<{ n: number }>(
    sql`select count(*)::int as n from pgboss.job where name in ('deliver', 'fanout')`,
  );
  out.jobs = String(jobs[0]!.n);
  return out;
}

/** Runs `fn` and checks that it changed nothing (see snapshot); returns what it returned. */
export async function expectUnchanged<T>(ctx: Ctx, fn: () => Promise<T>): Promise<T> {
  const before = await snapshot(ctx);
  const out = await fn();
  expect(await snapshot(ctx)).toEqual(before);
  return out;
}

/**
 * An HTTP server on loopback in front of a door (REST or tRPC), translating Node's request into a
 * fetch Request with a streamed body, as the Next route serves it. Each answer closes its connection:
 * a refused body was not read to its end.
 */
export async function serveDoor(door: (req: Request) => Promise<Response>): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([k, v]) =>
        v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => [k, x] as [string, string]),
      ),
      body:
        req.method === 'GET' || req.method === 'HEAD' ? undefined : (Readable.toWeb(req) as ReadableStream<Uint8Array>),
      duplex: 'half',
    } as RequestInit);
    void door(request).then(async (r) => {
      res.writeHead(r.status, { ...Object.fromEntries(r.headers), connection: 'close' });
      res.end(Buffer.from(await r.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}
