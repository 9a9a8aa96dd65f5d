import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { platformScope } from '../../server/domain/context';
import { createApiKey } from '../../server/domain/tenants/api-keys';
import { createCustomer } from '../../server/domain/tenants/customers';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { sessionsWaitingOnLock, startFaultBed, type FaultBed } from '../support/fault';
import { ensureWebBuild, stopWeb } from '../support/web-process';

/**
 * The web process's database pool exhausted. A real `next start` runs with a pool of 2
 * connections (DATABASE_POOL_MAX) and a 3 s bound on the wait for one
 * (DATABASE_ACQUIRE_TIMEOUT_SECONDS). First a burst of 200 requests, 100 times the pool: each
 * succeeds after queueing or is refused with a clear 503. Then another session holds a row lock
 * that two publishes wait on, so both connections stay taken for as long as that lasts (a slow
 * query, a long transaction elsewhere): a burst sent meanwhile must be answered, 503 with a JSON
 * error and Retry-After, while the holder still holds, not wait for it. A refused publish is not
 * stored. Once the lock goes, the held publishes complete and the same process serves normally.
 */
const POOL_MAX = 2;
const ACQUIRE_TIMEOUT_SECONDS = 3;

let bed: FaultBed;

beforeAll(async () => {
  await ensureWebBuild();
  bed = await startFaultBed('fault_pool');
}, 600_000);

afterAll(() => bed?.stop());

type Answer = {
  status: number | 'timeout';
  body: { error?: { code: string; message: string } } | null;
  retryAfter: string | null;
  publishKey?: string;
};

/** 2xx, or a 503 whose JSON error says `unavailable` and whose Retry-After is a number of seconds. */
function isClear(a: Answer): boolean {
  if (a.status === 200 || a.status === 202) return true;
  return (
    a.status === 503 &&
    a.body?.error?.code === 'unavailable' &&
    typeof a.body.error.message === 'string' &&
    /^[1-9]\d*$/.test(a.retryAfter ?? '')
  );
}

describe('database pool exhausted in the web process', () => {
  it(
    'queues or refuses with a clear 503 within a bounded time, and recovers without a restart',
    { timeout: 300_000 },
    async () => {
      const { ctx, receiver } = bed;
      const a = await createCustomer(ctx, platformScope, { name: 'Busy A' });
      const b = await createCustomer(ctx, platformScope, { name: 'Busy B' });
      for (const c of [a, b])
        await createSubscription(ctx, platformScope, {
          customerId: c.id,
          url: `${receiver.url}/${c.id}`,
          eventTypes: ['*'],
        });
      const { key } = await createApiKey(ctx, null, 'fault-pool');

      const web = await bed.startWeb({
        DATABASE_POOL_MAX: String(POOL_MAX),
        DATABASE_ACQUIRE_TIMEOUT_SECONDS: String(ACQUIRE_TIMEOUT_SECONDS),
      });
      const base = web.url;

      const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
        const publishKey = (body as { idempotencyKey?: string } | undefined)?.idempotencyKey;
        try {
          const res = await fetch(`${base}/api/v1${path}`, {
            method,
            headers: {
              authorization: `Bearer ${key}`,
              ...(body !== undefined && { 'content-type': 'application/json' }),
            },
            ...(body !== undefined && { body: JSON.stringify(body) }),
            // The client's own patience: far above the bound on the wait for a connection.
            signal: AbortSignal.timeout(90_000),
          });
          const text = await res.text();
          let parsed: Answer['body'] = null;
          try {
            parsed = JSON.parse(text) as Answer['body'];
          } catch {
            // not JSON: isClear says no
          }
          return {
            status: res.status,
            body: parsed,
            retryAfter: res.headers.get('retry-after'),
            ...(publishKey && { publishKey }),
          };
        } catch {
          return { status: 'timeout', body: null, retryAfter: null, ...(publishKey && { publishKey }) };
        }
      };
      const publish = (customerId: string, idempotencyKey: string) =>
        call('POST', '/events', { type: 'pool.test', customerId, data: { idempotencyKey }, idempotencyKey });
      const mixed = (label: string, n: number) =>
        Array.from({ length: n }, (_, i) =>
          i % 3 === 0
            ? publish(a.id, `${label}-${i}`)
            : i % 3 === 1
              ? call('GET', `/customers/${a.id}`)
              : call('GET', `/events?customerId=${a.id}&limit=10`),
        );
      const storedKeys = async (prefix: string) =>
        new Set(
          (
            await ctx.db.execute<{ key: string }>(
              sql`select idempotency_key as key from events where idempotency_key like ${`${prefix}-%`}`,
            )
          ).map((r) => r.key),
        );

      // 1. A burst of 100 times the pool: each request succeeds after queueing, or gets a clear 503.
      const first = await Promise.all(mixed('burst', 200));
      const unclear = first.filter((x) => !isClear(x));
      expect(unclear, JSON.stringify(unclear.slice(0, 3))).toEqual([]);
      const ok = first.filter((x) => x.status === 200 || x.status === 202).length;
      console.info(`pool of ${POOL_MAX}, burst of 200: ${ok} succeeded after queueing, ${200 - ok} refused with 503`);
      expect(ok).toBeGreaterThan(0);
      const stored = await storedKeys('burst');
      for (const x of first.filter((y) => y.publishKey))
        expect(stored.has(x.publishKey!), `${x.publishKey} (${x.status})`).toBe(x.status === 202);

      // 2. Two publishes for B wait on a lock another session holds: both connections are taken.
      const lock = await bed.holdLock((tx) => tx`select id from customers where id = ${b.id} for update`);
      const waitingOnLock = () => sessionsWaitingOnLock(ctx, 'hookrelay-web');
      const holders: Array<Promise<Answer>> = [];
      try {
        for (let i = 1; i <= POOL_MAX; i++) {
          holders.push(publish(b.id, `held-${i}`));
          await expect.poll(waitingOnLock, { timeout: 30_000, interval: 50 }).toBe(i);
        }

        // A burst while every connection is taken: each request is answered while the holder still
        // holds, with a clear 503; none waits for the lock to go.
        let settled = 0;
        const during = mixed('refused', 60).map((p) => p.then((x) => (settled++, x)));
        await expect.poll(() => settled, { timeout: 60_000, interval: 100 }).toBe(60);
        expect(await waitingOnLock()).toBe(POOL_MAX); // still held
        const answers = await Promise.all(during);
        expect(
          answers.filter((x) => x.status !== 503 || !isClear(x)),
          JSON.stringify(answers.slice(0, 2)),
        ).toEqual([]);
      } finally {
        await lock.release();
      }
      expect((await storedKeys('refused')).size).toBe(0);

      // 3. The lock is gone: the held publishes complete, and the same process serves normally.
      for (const h of await Promise.all(holders)) expect(h.status).toBe(202);
      expect((await call('GET', `/customers/${a.id}`)).status).toBe(200);
      expect((await publish(a.id, 'after-1')).status).toBe(202);
      expect((await fetch(`${base}/api/health`)).status).toBe(200);
      expect(web.alive()).toBe(true);
      await stopWeb(web);
    },
  );
});
