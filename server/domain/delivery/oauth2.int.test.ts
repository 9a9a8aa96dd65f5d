import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attempts, auditLog, subscriptions } from '../../../drizzle/schema';
import { trpcClient, type Json, type Rest } from '../../../tests/support/api';
import { createTenant, ok, startApiEngine, type ApiEngine } from '../../../tests/support/api-world';
import { attemptsOf, onlyDelivery, waitForStatus } from '../../../tests/support/engine';
import { startReceiver } from '../../../tests/support/receiver';
import { createSubscription } from '../subscriptions/subscription-changes';

/**
 * OAuth2 client credentials against real loopback servers: a token endpoint that issues tokens and
 * counts requests, and a receiver that accepts only the tokens it was told are valid. The worker is
 * the real one (in process), with its real HTTP sender.
 */
const CLIENT_SECRET = 's3cret-client-value';

type TokenRequest = { headers: IncomingHttpHeaders; body: string; path: string };

/** A token endpoint: `answer` decides each response from the request count (1-based); default, a new token each time. */
async function startTokenEndpoint() {
  const requests: TokenRequest[] = [];
  const issued: string[] = [];
  let answer: (n: number) => { status: number; body: unknown } = (n) => {
    const token = `tok-${n}-${Math.random().toString(36).slice(2)}`;
    issued.push(token);
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: 3600 } };
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), path: req.url ?? '' });
      const out = answer(requests.length);
      res.writeHead(out.status, { 'content-type': 'application/json' }).end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`,
    requests,
    issued,
    setAnswer: (fn: typeof answer) => (answer = fn),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let engine: ApiEngine;
let rest: Rest;
let customer: { id: string; key: string };
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  engine = await startApiEngine('oauth2', { retryTimeScale: 0.001 });
  rest = engine.rest;
  customer = await createTenant(rest, engine.platformKey, 'OAuth2');
});

afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  await engine?.stop();
});

/** A receiver that answers 200 to `Bearer <token>` for a token in `valid`, else 401. */
async function bearerReceiver(valid: Set<string>) {
  const r = await startReceiver((req) => ({
    status: valid.has((req.headers.authorization ?? '').replace(/^Bearer /, '')) ? 200 : 401,
  }));
  closers.push(r.close);
  return r;
}

async function tokenEndpoint() {
  const t = await startTokenEndpoint();
  closers.push(t.close);
  return t;
}

const oauth2 = (tokenUrl: string, extra: Json = {}) => ({
  type: 'oauth2',
  tokenUrl,
  clientId: 'hookrelay-client',
  clientSecret: CLIENT_SECRET,
  scope: 'webhooks:write',
  ...extra,
});

/** Each subscription gets an event type of its own: the latest one created receives what is published. */
let current = 0;
async function subscribe(url: string, auth: Json, extra: Json = {}) {
  current++;
  return ok(
    rest('POST', '/subscriptions', {
      key: customer.key,
      body: { url, eventTypes: [`oauth.s${current}`], auth, ...extra },
    }),
    201,
  );
}

async function publishAndSettle(status: 'succeeded' | 'dead' = 'succeeded') {
  const event = await ok(
    rest('POST', '/events', { key: customer.key, body: { type: `oauth.s${current}`, data: { n: Math.random() } } }),
    202,
  );
  const delivery = await onlyDelivery(engine.ctx, event.id);
  await waitForStatus(engine.ctx, delivery.id, status);
  return { eventId: event.id as string, deliveryId: delivery.id, attempts: await attemptsOf(engine.ctx, delivery.id) };
}

/** Done with a subscription: deleted, so that its endpoint hears nothing more. */
const done = (id: string) => ok(rest('DELETE', '/subscriptions/{id}', { key: customer.key, params: { id } }));

describe('OAuth2 client credentials', () => {
  it('fetches one token, caches it across deliveries, and sends it as a bearer token; the attempt records "[redacted]"', async () => {
    const tokens = await tokenEndpoint();
    const valid = new Set<string>();
    tokens.setAnswer((n) => {
      const token = `tok-${n}-cached`;
      valid.add(token);
      return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: 3600 } };
    });
    const r = await bearerReceiver(valid);
    const sub = await subscribe(`${r.url}/hook`, oauth2(tokens.url));
    expect(sub.auth).toEqual({
      type: 'oauth2',
      tokenUrl: tokens.url,
      clientId: 'hookrelay-client',
      scope: 'webhooks:write',
      setAt: expect.any(String),
    });

    const settled = [];
    for (let i = 0; i < 3; i++) settled.push(await publishAndSettle());
    // Five more at once: concurrent attempts share the cached token (or the one request under way).
    const burst = await Promise.all(
      Array.from({ length: 5 }, () =>
        ok(rest('POST', '/events', { key: customer.key, body: { type: `oauth.s${current}`, data: {} } }), 202),
      ),
    );
    for (const e of burst) await waitForStatus(engine.ctx, (await onlyDelivery(engine.ctx, e.id)).id, 'succeeded');

    expect(tokens.requests).toHaveLength(1);
    const [tokenRequest] = tokens.requests;
    expect(tokenRequest!.path).toBe('/oauth/token');
    expect(tokenRequest!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(tokenRequest!.headers.authorization).toBe(
      `Basic ${Buffer.from(`hookrelay-client:${CLIENT_SECRET}`).toString('base64')}`,
    );
    expect(Object.fromEntries(new URLSearchParams(tokenRequest!.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'webhooks:write',
    });
    expect(tokenRequest!.headers['user-agent']).toMatch(/^Hookrelay\//);

    expect(r.received).toHaveLength(8);
    for (const req of r.received) expect(req.headers.authorization).toBe('Bearer tok-1-cached');
    for (const s of settled) {
      expect(s.attempts).toHaveLength(1);
      expect(s.attempts[0]!.requestHeaders).toMatchObject({
        authorization: '[redacted]',
        'content-type': 'application/json',
      });
    }
    const stored = await engine.ctx.db.select().from(attempts).where(eq(attempts.subscriptionId, sub.id));
    expect(stored).toHaveLength(8);
    expect(JSON.stringify(stored)).not.toContain('tok-1-cached');
    await done(sub.id);
  });

  it('on a 401 to a cached token, fetches a new token once and sends the same attempt again', async () => {
    const tokens = await tokenEndpoint();
    const valid = new Set<string>();
    tokens.setAnswer((n) => {
      valid.add(`tok-${n}`);
      return { status: 200, body: { access_token: `tok-${n}`, expires_in: 3600 } };
    });
    const r = await bearerReceiver(valid);
    const sub = await subscribe(`${r.url}/hook`, oauth2(tokens.url));
    await publishAndSettle();
    expect(tokens.requests).toHaveLength(1);

    // The endpoint revokes the token it accepted until now.
    valid.delete('tok-1');
    const second = await publishAndSettle();
    expect(second.attempts).toHaveLength(1);
    expect(second.attempts[0]).toMatchObject({ status: 'succeeded', responseStatus: 200, attemptSeq: 1 });
    expect(tokens.requests).toHaveLength(2);
    expect(r.received.map((q) => q.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
    // The two requests of the attempt are the same delivery: same webhook-id.
    expect(r.received[1]!.headers['webhook-id']).toBe(second.eventId);
    expect(r.received[2]!.headers['webhook-id']).toBe(second.eventId);
    // The new token is the cached one from now on.
    await publishAndSettle();
    expect(tokens.requests).toHaveLength(2);
    expect(r.received.at(-1)!.headers.authorization).toBe('Bearer tok-2');
    await done(sub.id);
  });

  it('refreshes only once: an endpoint that keeps answering 401 fails the attempt with its 401', async () => {
    const tokens = await tokenEndpoint();
    const r = await bearerReceiver(new Set());
    const sub = await subscribe(`${r.url}/hook`, oauth2(tokens.url), {
      retryPolicy: { maxAttempts: 2, scheduleSeconds: [1000] },
    });
    const { attempts: failed } = await publishAndSettle('dead');
    expect(failed.map((a) => [a.status, a.responseStatus])).toEqual([
      ['failed', 401],
      ['failed', 401],
    ]);
    // Attempt 1: a token fetched for it, one request, no second try (the token was new).
    // Attempt 2: the cached token, a 401, one new token, one more request.
    expect(tokens.requests).toHaveLength(2);
    expect(r.received).toHaveLength(3);
    expect(r.received.map((q) => q.headers.authorization)).toEqual([
      `Bearer ${tokens.issued[0]}`,
      `Bearer ${tokens.issued[0]}`,
      `Bearer ${tokens.issued[1]}`,
    ]);
    await done(sub.id);
  });

  it('a token endpoint that fails makes a failed attempt of class auth (nothing reaches the endpoint), and the worker carries on', async () => {
    const tokens = await tokenEndpoint();
    tokens.setAnswer(() => ({
      status: 401,
      body: { error: 'invalid_client', error_description: `secret ${CLIENT_SECRET} unknown` },
    }));
    const r = await bearerReceiver(new Set());
    const policy = { retryPolicy: { maxAttempts: 1 } };
    const refused = await subscribe(`${r.url}/hook`, oauth2(tokens.url), policy);
    const first = await publishAndSettle('dead');
    expect(first.attempts).toHaveLength(1);
    expect(first.attempts[0]).toMatchObject({
      status: 'failed',
      errorClass: 'auth',
      errorMessage: `the OAuth2 token request to ${tokens.url} was answered HTTP 401 (invalid_client)`,
      responseStatus: null,
    });
    expect(first.attempts[0]!.requestHeaders).not.toHaveProperty('authorization');
    await done(refused.id);

    // Nothing listens on port 9: the token request cannot connect.
    const down = await subscribe(`${r.url}/hook`, oauth2('http://127.0.0.1:9/token'), policy);
    const second = await publishAndSettle('dead');
    expect(second.attempts[0]).toMatchObject({
      errorClass: 'auth',
      errorMessage: 'the OAuth2 token request to http://127.0.0.1:9/token failed: connection refused',
    });
    await done(down.id);

    // A token endpoint that never answers: the attempt's timeout covers the token request too.
    const held: Socket[] = [];
    const silent = createTcpServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/token`;
    const slow = await subscribe(`${r.url}/hook`, oauth2(silentUrl), { ...policy, timeoutMs: 300 });
    const timedOut = await publishAndSettle('dead');
    expect(timedOut.attempts[0]).toMatchObject({
      errorClass: 'auth',
      errorMessage: `the OAuth2 token request to ${silentUrl} failed: no response within 300 ms`,
    });
    await done(slow.id);

    // Not JSON.
    tokens.setAnswer(() => ({ status: 200, body: 'access_token=abc' }));
    const garbled = await subscribe(`${r.url}/hook`, oauth2(tokens.url), policy);
    const third = await publishAndSettle('dead');
    expect(third.attempts[0]).toMatchObject({
      errorClass: 'auth',
      errorMessage: `the OAuth2 token request to ${tokens.url} was not answered with a JSON object`,
    });
    await done(garbled.id);
    expect(r.received).toHaveLength(0);

    // The worker is fine: a working token endpoint delivers at once.
    const valid = new Set<string>();
    tokens.setAnswer((n) => {
      valid.add(`ok-${n}`);
      return { status: 200, body: { access_token: `ok-${n}`, expires_in: 60 } };
    });
    const r2 = await bearerReceiver(valid);
    const fine = await subscribe(`${r2.url}/hook`, oauth2(tokens.url));
    await publishAndSettle();
    expect(r2.received).toHaveLength(1);
    await done(fine.id);
  });

  it('never shows the client secret or a token: reads, deliveries, attempts, audit log and the stored row', async () => {
    const tokens = await tokenEndpoint();
    const valid = new Set<string>();
    tokens.setAnswer((n) => {
      valid.add(`visible-if-leaked-${n}`);
      return { status: 200, body: { access_token: `visible-if-leaked-${n}`, expires_in: 3600 } };
    });
    const r = await bearerReceiver(valid);
    const created = await subscribe(`${r.url}/hook`, oauth2(tokens.url));
    const { deliveryId } = await publishAndSettle();
    const reads = [
      created,
      await ok(rest('GET', '/subscriptions/{id}', { key: customer.key, params: { id: created.id } })),
      await ok(rest('GET', '/subscriptions', { key: customer.key })),
      await trpcClient(engine.ctx, customer.key).subscriptions.get.query({ id: created.id }),
      await ok(rest('GET', '/deliveries/{id}', { key: customer.key, params: { id: deliveryId } })),
      await ok(rest('GET', '/audit-log', { key: customer.key, query: { targetId: created.id } })),
    ];
    for (const read of reads) {
      expect(JSON.stringify(read)).not.toContain(CLIENT_SECRET);
      expect(JSON.stringify(read)).not.toContain('visible-if-leaked');
    }
    expect(reads[4].attempts[0].request.headers.authorization).toBe('[redacted]');
    const [row] = await engine.ctx.db.select().from(subscriptions).where(eq(subscriptions.id, created.id));
    expect(row!.authEnc).toMatch(/^v2\./);
    expect(JSON.stringify(row)).not.toContain(CLIENT_SECRET);
    const audit = await engine.ctx.db.select().from(auditLog).where(eq(auditLog.targetId, created.id));
    expect(audit.find((a) => a.action === 'subscription.created')?.after).toMatchObject({
      auth: { type: 'oauth2', tokenUrl: tokens.url, clientId: 'hookrelay-client', scope: 'webhooks:write' },
    });
    expect(JSON.stringify(audit)).not.toContain(CLIENT_SECRET);
    await done(created.id);
  });

  it('an update: "[redacted]" keeps the secret for the same token origin; new credentials get a new token; moving the endpoint needs them again', async () => {
    const tokens = await tokenEndpoint();
    const valid = new Set<string>();
    tokens.setAnswer((n) => {
      valid.add(`upd-${n}`);
      return { status: 200, body: { access_token: `upd-${n}`, expires_in: 3600 } };
    });
    const [r, elsewhere] = [await bearerReceiver(valid), await bearerReceiver(valid)];
    const sub = await subscribe(`${r.url}/hook`, oauth2(tokens.url));
    const patch = (body: Json) =>
      rest('PATCH', '/subscriptions/{id}', { key: customer.key, params: { id: sub.id }, body });
    await publishAndSettle();
    expect(tokens.requests).toHaveLength(1);

    // Another scope, the secret kept by "[redacted]": other credentials, so a new token, with the same secret.
    const rescoped = await ok(
      patch({ auth: oauth2(tokens.url, { clientSecret: '[redacted]', scope: 'webhooks:admin' }) }),
    );
    expect(rescoped.auth).toMatchObject({ type: 'oauth2', scope: 'webhooks:admin' });
    await publishAndSettle();
    expect(tokens.requests).toHaveLength(2);
    expect(tokens.requests[1]!.headers.authorization).toBe(tokens.requests[0]!.headers.authorization);
    expect(new URLSearchParams(tokens.requests[1]!.body).get('scope')).toBe('webhooks:admin');

    const refusals: Array<[Json, string, RegExp]> = [
      // The endpoint moves to another origin: OAuth2 credentials are not carried along by themselves.
      [{ url: `${elsewhere.url}/hook` }, 'auth', /give its OAuth2 authentication again/],
      [
        { url: `${elsewhere.url}/hook`, auth: oauth2(tokens.url, { clientSecret: '[redacted]' }) },
        'auth.clientSecret',
        /give the client secret again/,
      ],
      // The token URL moves to another origin: the stored secret is not sent there.
      [
        { auth: oauth2('http://127.0.0.1:9/token', { clientSecret: '[redacted]' }) },
        'auth.clientSecret',
        /is not sent to another origin/,
      ],
      // The bearer token is the Authorization header: a custom one would be overwritten.
      [{ headers: { Authorization: 'Bearer mine' } }, 'headers.Authorization', /is set by the OAuth2 authentication/],
    ];
    for (const [body, field, message] of refusals) {
      const res = await patch(body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error).toMatchObject({ field, message: expect.stringMatching(message) });
    }
    expect((await ok(rest('GET', '/subscriptions/{id}', { key: customer.key, params: { id: sub.id } }))).url).toBe(
      `${r.url}/hook`,
    );

    // Moving with the credentials given again is fine; null removes them.
    expect((await ok(patch({ url: `${elsewhere.url}/hook`, auth: oauth2(tokens.url) }))).auth.type).toBe('oauth2');
    expect((await ok(patch({ auth: null }))).auth).toBeNull();
    const [row] = await engine.ctx.db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
    expect(row).toMatchObject({ authInfo: null, authEnc: null });
    await done(sub.id);
  });

  it('refuses bad OAuth2 input, naming the field; the token URL obeys the SSRF rules of targets', async () => {
    const bad: Array<[Json, string, RegExp]> = [
      [{ ...oauth2('https://auth.example.com/token'), clientSecret: '' }, 'auth.clientSecret', /./],
      [{ ...oauth2('https://auth.example.com/token'), clientId: 'has space' }, 'auth.clientId', /visible ASCII/],
      [{ ...oauth2('https://auth.example.com/token'), scope: 'a\tb' }, 'auth.scope', /space-separated/],
      [{ ...oauth2('ftp://auth.example.com/token') }, 'auth.tokenUrl', /must use http or https/],
      [{ ...oauth2('https://user:pw@auth.example.com/token') }, 'auth.tokenUrl', /must not contain credentials/],
      [{ ...oauth2('https://auth.example.com/token'), audience: 'x' }, 'auth.audience', /unknown field/],
      [{ type: 'basic', username: 'a' }, 'auth.type', /mtls.*oauth2/],
    ];
    for (const [authentication, field, message] of bad) {
      const res = await rest('POST', '/subscriptions', {
        key: customer.key,
        body: { url: 'https://example.com/hook', eventTypes: ['*'], auth: authentication },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.field).toBe(field);
      expect(res.body.error.message).toMatch(message);
    }
    const conflict = await rest('POST', '/subscriptions', {
      key: customer.key,
      body: {
        url: 'https://example.com/hook',
        eventTypes: ['*'],
        auth: oauth2('https://auth.example.com/token'),
        headers: { authorization: 'x' },
      },
    });
    expect(conflict.body.error).toMatchObject({ field: 'headers.authorization' });

    // As in production (private targets refused): a token URL on a private address is refused like a target.
    const production = { ...engine.ctx, config: { ...engine.ctx.config, allowPrivateTargets: false } };
    for (const tokenUrl of [
      'http://127.0.0.1:8080/token',
      'http://169.254.169.254/latest',
      'http://localhost/token',
      'http://[::1]/token',
    ]) {
      const err = await createSubscription(
        production,
        { kind: 'customer', customerId: customer.id },
        {
          url: 'https://example.com/hook',
          eventTypes: ['*'],
          auth: { type: 'oauth2', tokenUrl, clientId: 'c', clientSecret: 's' },
        },
      ).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'bad_request',
        field: 'auth.tokenUrl',
        message: expect.stringMatching(/^auth\.tokenUrl must not target a private/),
      });
    }
  });
});
