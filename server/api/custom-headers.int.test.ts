import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attempts, subscriptions } from '../../drizzle/schema';
import { expectUnchanged, snapshot, trpcClient, type Json, type Rest } from '../../tests/support/api';
import { createTenant, ok, startApiEngine, type ApiEngine } from '../../tests/support/api-world';
import { expectVerified, waitForStatus } from '../../tests/support/engine';
import { decryptSecret, keyring, sealedIn } from '../domain/crypto';
import { reencryptSecrets } from '../domain/tenants/key-rotation';

/**
 * Custom headers: sent on every attempt (the first, a retry, a replay, a test event), never read
 * back (reads and recorded requests say "[redacted]"), refused when they would override what
 * Hookrelay sets or inject a header.
 */
const TOKEN = 'Bearer s3cret-gateway-token';
let engine: ApiEngine;
let rest: Rest;
let platformKey: string;
let customer: { id: string; key: string };

beforeAll(async () => {
  engine = await startApiEngine('headers', { retryTimeScale: 0.001 });
  ({ rest, platformKey } = engine);
  customer = await createTenant(rest, platformKey, 'Headers');
});

afterAll(async () => {
  await engine?.stop();
});

async function unchanged<T>(fn: () => Promise<T>): Promise<T> {
  // The worker runs beside these tests: wait until what earlier ones set moving (a retry, a
  // dispatcher pass) has settled, so that a change seen below is the request's.
  let last = await snapshot(engine.ctx);
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const again = await snapshot(engine.ctx);
    if (JSON.stringify(again) === JSON.stringify(last)) break;
    last = again;
  }
  return expectUnchanged(engine.ctx, fn);
}

describe('custom headers', () => {
  it('reach the receiver on the first attempt, a retry, a replay and a test event; reads and recorded requests show "[redacted]"', async () => {
    // The first request fails (a retry follows); every later one succeeds.
    const r = await engine.receiver((_req, i) => ({ status: i === 0 ? 500 : 200 }));
    const created = await ok(
      rest('POST', '/subscriptions', {
        key: customer.key,
        body: { url: `${r.url}/hook`, eventTypes: ['order.*'], headers: { Authorization: TOKEN, 'X-Tenant': 'acme' } },
      }),
      201,
    );
    expect(created.headers).toEqual({ Authorization: '[redacted]', 'X-Tenant': '[redacted]' });
    expect(JSON.stringify(created)).not.toContain('s3cret');
    for (const read of [
      await ok(rest('GET', '/subscriptions/{id}', { key: customer.key, params: { id: created.id } })),
      (await ok(rest('GET', '/subscriptions', { key: customer.key }))).data[0],
      await trpcClient(engine.ctx, customer.key).subscriptions.get.query({ id: created.id }),
    ]) {
      expect(read.headers).toEqual({ Authorization: '[redacted]', 'X-Tenant': '[redacted]' });
      expect(JSON.stringify(read)).not.toContain('s3cret');
    }
    // Encrypted at rest: the plaintext is nowhere in the row.
    const [row] = await engine.ctx.db.select().from(subscriptions).where(eq(subscriptions.id, created.id));
    expect(row!.headerNames).toEqual(['Authorization', 'X-Tenant']);
    expect(JSON.stringify(row)).not.toContain('s3cret');

    const event = await ok(
      rest('POST', '/events', { key: customer.key, body: { type: 'order.created', data: { n: 1 } } }),
      202,
    );
    const [{ id: deliveryId }] = (
      await ok(rest('GET', '/deliveries', { key: customer.key, query: { eventId: event.id } }))
    ).data;
    await waitForStatus(engine.ctx, deliveryId, 'succeeded');
    expect(r.received).toHaveLength(2);

    await ok(rest('POST', '/deliveries/{id}/replay', { key: customer.key, params: { id: deliveryId } }));
    await r.waitFor(3);
    const test = await ok(
      rest('POST', '/subscriptions/{id}/test', { key: customer.key, params: { id: created.id } }),
      202,
    );
    await r.waitFor(4);
    await waitForStatus(engine.ctx, test.deliveryId, 'succeeded');

    for (const req of r.received) {
      expect(req.headers.authorization).toBe(TOKEN);
      expect(req.headers['x-tenant']).toBe('acme');
      expect(req.headers['content-type']).toBe('application/json');
    }
    expectVerified(r.received, created.secret);

    await expect
      .poll(
        async () =>
          (await ok(rest('GET', '/deliveries/{id}', { key: customer.key, params: { id: deliveryId } }))).attempts
            .length,
      )
      .toBe(3);
    const after = await ok(rest('GET', '/deliveries/{id}', { key: customer.key, params: { id: deliveryId } }));
    expect(after.attempts.map((a: Json) => a.trigger)).toEqual(['initial', 'retry', 'replay']);
    for (const a of after.attempts) {
      expect(a.request.headers).toMatchObject({
        Authorization: '[redacted]',
        'X-Tenant': '[redacted]',
        'content-type': 'application/json',
        'webhook-id': event.id,
      });
    }
    expect(JSON.stringify(after)).not.toContain('s3cret');
    const stored = await engine.ctx.db
      .select({ h: attempts.requestHeaders })
      .from(attempts)
      .where(eq(attempts.subscriptionId, created.id));
    expect(stored).toHaveLength(4);
    expect(JSON.stringify(stored)).not.toContain('s3cret');
  });

  it('are refused when they name a header Hookrelay sets, or could inject one: 400 naming the header, nothing stored', async () => {
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ 'webhook-signature': 'v1,forged' }, 'headers.webhook-signature', 'reserved'],
      [{ 'Webhook-Id': 'evt_x' }, 'headers.Webhook-Id', 'reserved'],
      [{ 'Content-Type': 'text/plain' }, 'headers.Content-Type', 'reserved'],
      [{ host: 'evil.example' }, 'headers.host', 'reserved'],
      [{ 'User-Agent': 'me' }, 'headers.User-Agent', 'reserved'],
      [{ 'Transfer-Encoding': 'chunked' }, 'headers.Transfer-Encoding', 'reserved'],
      [{ 'X-Evil': 'a\r\nX-Injected: 1' }, 'headers.X-Evil', 'must not contain CR, LF or NUL'],
      [{ 'X-Evil': 'a\nb' }, 'headers.X-Evil', 'must not contain CR, LF or NUL'],
      [{ 'X Bad': 'v' }, 'headers.X Bad', 'not a valid header name'],
      [Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v'])), 'headers', 'above the limit of 20'],
      [{ 'X-Big': 'v'.repeat(5000) }, 'headers', 'above the limit of 4096'],
    ];
    for (const [headers, field, reason] of cases) {
      const res = await unchanged(() =>
        rest('POST', '/subscriptions', {
          key: customer.key,
          body: { url: 'https://example.com/hook', eventTypes: ['*'], headers },
        }),
      );
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.field).toBe(field);
      expect(res.body.error.message).toContain(reason);
    }
    const err = await unchanged(() =>
      trpcClient(engine.ctx, customer.key)
        .subscriptions.create.mutate({
          url: 'https://example.com/hook',
          eventTypes: ['*'],
          headers: { 'webhook-timestamp': '0' },
        })
        .then(
          () => null,
          (e: unknown) => e as Json,
        ),
    );
    expect(err?.data).toMatchObject({ httpStatus: 400, code: 'BAD_REQUEST', field: 'headers.webhook-timestamp' });
    expect(err?.message).toContain('reserved');
    const injected = await unchanged(() =>
      trpcClient(engine.ctx, customer.key)
        .subscriptions.create.mutate({
          url: 'https://example.com/hook',
          eventTypes: ['*'],
          headers: { 'X-Api-Key': 'k\r\nX-Admin: 1' },
        })
        .then(
          () => null,
          (e: unknown) => e as Json,
        ),
    );
    expect(injected?.data).toMatchObject({
      httpStatus: 400,
      field: 'headers.X-Api-Key',
      errors: [{ field: 'headers.X-Api-Key', reason: 'the value of "X-Api-Key" must not contain CR, LF or NUL' }],
    });
  });

  it('are replaced by an update, where "[redacted]" keeps a stored value, and removed by null', async () => {
    const r = await engine.receiver();
    const s = await ok(
      rest('POST', '/subscriptions', {
        key: customer.key,
        body: { url: `${r.url}/hook`, eventTypes: ['x.*'], headers: { Authorization: TOKEN, 'X-Old': 'old' } },
      }),
      201,
    );
    const patched = await ok(
      rest('PATCH', '/subscriptions/{id}', {
        key: customer.key,
        params: { id: s.id },
        body: { headers: { authorization: '[redacted]', 'X-New': 'new' } },
      }),
    );
    expect(patched.headers).toEqual({ authorization: '[redacted]', 'X-New': '[redacted]' });
    const bad = await unchanged(() =>
      rest('PATCH', '/subscriptions/{id}', {
        key: customer.key,
        params: { id: s.id },
        body: { headers: { 'X-Unknown': '[redacted]' } },
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      field: 'headers.X-Unknown',
      message: expect.stringContaining('has no header "X-Unknown"'),
    });
    const reserved = await unchanged(() =>
      rest('PATCH', '/subscriptions/{id}', {
        key: customer.key,
        params: { id: s.id },
        body: { headers: { Connection: 'close' } },
      }),
    );
    expect(reserved.body.error.field).toBe('headers.Connection');

    await ok(rest('POST', '/subscriptions/{id}/test', { key: customer.key, params: { id: s.id } }), 202);
    await r.waitFor(1);
    expect(r.received[0]!.headers).toMatchObject({ authorization: TOKEN, 'x-new': 'new' });
    expect(r.received[0]!.headers).not.toHaveProperty('x-old');

    expect(
      (
        await ok(
          rest('PATCH', '/subscriptions/{id}', { key: customer.key, params: { id: s.id }, body: { headers: null } }),
        )
      ).headers,
    ).toEqual({});
    await ok(rest('POST', '/subscriptions/{id}/test', { key: customer.key, params: { id: s.id } }), 202);
    await r.waitFor(2);
    expect(r.received[1]!.headers).not.toHaveProperty('authorization');
    expect(r.received[1]!.headers).not.toHaveProperty('x-new');
  });

  it('stay with their origin: a URL on another origin drops them unless given again, and "[redacted]" cannot carry them over', async () => {
    const [here, elsewhere] = [await engine.receiver(), await engine.receiver()];
    const s = await ok(
      rest('POST', '/subscriptions', {
        key: customer.key,
        body: { url: `${here.url}/hook`, eventTypes: ['x.*'], headers: { Authorization: TOKEN } },
      }),
      201,
    );
    const patch = (body: Json) =>
      rest('PATCH', '/subscriptions/{id}', { key: customer.key, params: { id: s.id }, body });

    // Another origin (another port), with "[redacted]": refused, nothing changes.
    const carried = await unchanged(() =>
      patch({ url: `${elsewhere.url}/hook`, headers: { Authorization: '[redacted]' } }),
    );
    expect(carried.status).toBe(400);
    expect(carried.body.error).toMatchObject({
      field: 'headers.Authorization',
      message: expect.stringContaining(`moves from ${new URL(here.url).origin} to ${new URL(elsewhere.url).origin}`),
    });

    // Same origin, another path: kept. (A changed URL wakes the dispatcher, which touches the row:
    // the refusal above is checked first, while nothing else moves.)
    expect((await ok(patch({ url: `${here.url}/other` }))).headers).toEqual({ Authorization: '[redacted]' });

    // Another origin without headers: they are dropped, and the new endpoint never sees them.
    const moved = await ok(patch({ url: `${elsewhere.url}/hook` }));
    expect(moved).toMatchObject({ url: `${elsewhere.url}/hook`, headers: {} });
    await ok(rest('POST', '/subscriptions/{id}/test', { key: customer.key, params: { id: s.id } }), 202);
    await elsewhere.waitFor(1);
    expect(elsewhere.received[0]!.headers).not.toHaveProperty('authorization');

    // Another origin with values given again: those are stored.
    expect(
      (await ok(patch({ url: `${here.url}/hook`, headers: { Authorization: 'Bearer for-here-again' } }))).headers,
    ).toEqual({
      Authorization: '[redacted]',
    });
    await ok(rest('POST', '/subscriptions/{id}/test', { key: customer.key, params: { id: s.id } }), 202);
    await here.waitFor(1);
    expect(here.received[0]!.headers).toMatchObject({ authorization: 'Bearer for-here-again' });
  });

  it('are re-encrypted when the master key rotates', async () => {
    const s = await ok(
      rest('POST', '/subscriptions', {
        key: customer.key,
        body: { url: 'https://example.com/hook', eventTypes: ['rot.*'], headers: { 'X-Key': 'k3y' } },
      }),
      201,
    );
    const rotated = {
      ...engine.ctx,
      keys: keyring('rotated-secret-key-fedcba9876543210', ['test-secret-key-0123456789abcdef']),
    };
    const report = await reencryptSecrets(rotated);
    expect(report.failed).toEqual([]);
    const [row] = await engine.ctx.db
      .select({ headersEnc: subscriptions.headersEnc })
      .from(subscriptions)
      .where(eq(subscriptions.id, s.id));
    expect(
      JSON.parse(
        decryptSecret(
          keyring('rotated-secret-key-fedcba9876543210'),
          row!.headersEnc!,
          sealedIn.subscriptionHeaders(s.id),
        ),
      ),
    ).toEqual({
      'X-Key': 'k3y',
    });
    expect((await reencryptSecrets(rotated)).reencrypted).toBe(0);
  });
});
