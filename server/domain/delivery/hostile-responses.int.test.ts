import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restClient, type Json, type Rest } from '../../../tests/support/api';
import { ok } from '../../../tests/support/api-world';
import { onlyDelivery, startEngine, waitForStatus } from '../../../tests/support/engine';
import { fileScoped } from '../../../tests/support/file-scoped';
import { startReceiver, type Reply } from '../../../tests/support/receiver';
import { platformScope } from '../context';
import { createApiKey } from '../tenants/api-keys';
import { createCustomer } from '../tenants/customers';
import { publishEvent } from '../events/publish';
import { createSubscription } from '../subscriptions/subscription-changes';

/**
 * Whatever an endpoint answers is data: a NUL in the body, bytes that are not UTF-8, odd bytes in
 * header values. Each attempt is recorded like any other (PostgreSQL `text` and `jsonb` cannot hold
 * a NUL; before, such an answer failed the attempt's insert, the job was retried by the queue and
 * the delivery's own schedule was bypassed), so the delivery gets exactly the attempts its policy
 * allows, and the API shows them.
 */
const FFFD = '\uFFFD';
const engine = fileScoped(() => startEngine('hostile', { retryTimeScale: 0.02 }));
let rest: Rest;
let key: string;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  rest = restClient(engine.ctx);
  key = (await createApiKey(engine.ctx, null, 'test')).key;
});

afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
});

/** Publishes one event to a fresh subscription at `url` allowing 2 attempts (2 s apart at this time scale), and waits for it to die. */
async function twoAttemptsTo(url: string) {
  const customer = await createCustomer(engine.ctx, platformScope, { name: 'Hostile' });
  await createSubscription(engine.ctx, platformScope, {
    customerId: customer.id,
    url,
    eventTypes: ['*'],
    retryPolicy: { maxAttempts: 2, scheduleSeconds: [100] },
  });
  const event = await publishEvent(engine.ctx, platformScope, {
    type: 'hostile.probe',
    data: { n: 1 },
    customerId: customer.id,
  });
  const delivery = await onlyDelivery(engine.ctx, event.id);
  const dead = await waitForStatus(engine.ctx, delivery.id, 'dead');
  expect(dead.attemptCount).toBe(2);
  const read = await ok(rest('GET', '/deliveries/{id}', { key, params: { id: delivery.id } }));
  expect(read.attempts.map((a: Json) => [a.attemptSeq, a.status])).toEqual([
    [1, 'failed'],
    [2, 'failed'],
  ]);
  return read;
}

async function receiver(reply: () => Reply) {
  const r = await startReceiver(reply);
  closers.push(r.close);
  return r;
}

/** A server speaking raw HTTP/1.1, for answers Node's own HTTP server refuses to write. */
async function rawServer(response: Buffer) {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.once('data', () => {
      requests++;
      s.end(response);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, requests: () => requests };
}

describe('hostile responses are recorded, and the retry schedule holds', () => {
  it('a 500 whose body holds a NUL, with raw bytes in header values', async () => {
    // Node writes header values as latin1: one byte per character.
    const latin1 = (b: Buffer) => b.toString('latin1');
    const r = await receiver(() => ({
      status: 500,
      headers: { 'x-raw': latin1(Buffer.from([0x61, 0xff, 0xfe, 0x62])), 'x-utf8': latin1(Buffer.from('café ✓')) },
      body: 'bad\0body',
    }));
    const read = await twoAttemptsTo(`${r.url}/hook`);
    expect(r.received).toHaveLength(2);
    for (const a of read.attempts) {
      expect(a.response).toMatchObject({
        status: 500,
        bodyExcerpt: `bad${FFFD}body`,
        headers: { 'x-raw': `a${FFFD}${FFFD}b`, 'x-utf8': 'café ✓' },
      });
      expect(a.error).toEqual({ class: 'http_status', message: 'HTTP 500' });
    }
  });

  it('a body that is not UTF-8', async () => {
    const r = await receiver(() => ({
      status: 502,
      body: Buffer.from([0x7b, 0xc3, 0x28, 0x00, 0xff, 0xed, 0xa0, 0x80, 0x7d]),
    }));
    const read = await twoAttemptsTo(`${r.url}/hook`);
    expect(r.received).toHaveLength(2);
    for (const a of read.attempts)
      expect(a.response).toMatchObject({ status: 502, bodyExcerpt: `{${FFFD}(${FFFD}${FFFD}${FFFD}${FFFD}${FFFD}}` });
  });

  it('a body cut at the excerpt limit in the middle of a character', async () => {
    // 4,095 ASCII bytes, then a 2-byte character straddling the 4 KiB limit.
    const r = await receiver(() => ({ status: 500, body: `${'x'.repeat(4095)}é and more` }));
    const read = await twoAttemptsTo(`${r.url}/hook`);
    for (const a of read.attempts) expect(a.response.bodyExcerpt).toBe('x'.repeat(4095));
  });

  it('a header value holding a NUL: the HTTP client refuses the answer, recorded as a connection error', async () => {
    const s = await rawServer(
      Buffer.from(
        'HTTP/1.1 500 Oops\r\nX-Nul: a\0b\r\nContent-Length: 8\r\nConnection: close\r\n\r\nbad\0body',
        'latin1',
      ),
    );
    const read = await twoAttemptsTo(s.url);
    expect(s.requests()).toBe(2);
    for (const a of read.attempts) {
      expect(a.response).toBeNull();
      expect(a.error).toMatchObject({
        class: 'connection',
        message: expect.stringMatching(/Invalid header value char/) as unknown,
      });
    }
  });
});
