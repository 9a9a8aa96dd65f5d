import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { platformScope } from '../../server/domain/context';
import { createApiKey } from '../../server/domain/tenants/api-keys';
import { createCustomer } from '../../server/domain/tenants/customers';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { killHard, startFaultBed, waitForAllReceived, type FaultBed } from '../support/fault';
import { ensureWebBuild, stopWeb } from '../support/web-process';
import { stopWorker } from '../support/worker-process';

/**
 * The web process SIGKILLed mid-publish under load. Clients publish with idempotency keys through
 * the real HTTP API of a real `next start`; once a third of the events are in, the process is
 * killed with requests in flight and a new one is started on the same port, and again at two
 * thirds. Clients retry every request that did not get a 202, with the same key, as a careful
 * client does. A request that was committed but whose answer was lost comes back as the same event
 * (`duplicate: true`); one that was not committed is accepted by the new process. Nothing is stored
 * twice; nothing is lost.
 */
const EVENTS = 300;
const CLIENTS = 16;
const CUSTOMERS = 5;

let bed: FaultBed;

beforeAll(async () => {
  await ensureWebBuild();
  bed = await startFaultBed('fault_web_kill');
}, 600_000);

afterAll(() => bed?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Outcome = { status: number | 'network'; id?: string; duplicate?: boolean };

describe('SIGKILL of the web process under publish load', () => {
  it('accepts every event exactly once: retries with the same key return the same event, and every accepted event is delivered', async () => {
    const { ctx, receiver } = bed;
    const customerIds: string[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const c = await createCustomer(ctx, platformScope, { name: `Web kill ${i}` });
      await createSubscription(ctx, platformScope, {
        customerId: c.id,
        url: `${receiver.url}/c${i}`,
        eventTypes: ['*'],
      });
      customerIds.push(c.id);
    }
    const { key } = await createApiKey(ctx, null, 'fault-web-kill');
    const worker = await bed.startWorker({ RETRY_TIME_SCALE: '0.01' });

    const first = await bed.startWeb();
    const base = first.url; // the replacement listens on the same port, as behind a fixed address

    const requestOf = (n: number) => ({
      type: 'fault.web_kill',
      customerId: customerIds[n % CUSTOMERS]!,
      data: { n },
      idempotencyKey: `web-kill-${n}`,
    });
    const publish = async (n: number): Promise<Outcome> => {
      try {
        const res = await fetch(`${base}/api/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(requestOf(n)),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        if (res.status !== 202) return { status: res.status };
        const body = JSON.parse(text) as { id: string; duplicate: boolean };
        return { status: 202, id: body.id, duplicate: body.duplicate };
      } catch {
        return { status: 'network' }; // refused, reset, or timed out: the client does not know
      }
    };

    // Clients take the next event number and publish it until it gets a 202, with a short backoff.
    const outcomes = new Map<number, Outcome[]>();
    const accepted = new Map<number, string>(); // event number → id from its 202
    let next = 0;
    const deadline = Date.now() + 240_000;
    const client = async () => {
      for (let n = next++; n < EVENTS; n = next++) {
        const tries: Outcome[] = [];
        outcomes.set(n, tries);
        for (let attempt = 0; Date.now() < deadline; attempt++) {
          const o = await publish(n);
          tries.push(o);
          if (o.status === 202) {
            accepted.set(n, o.id!);
            break;
          }
          await sleep(Math.min(1000, 50 * 2 ** attempt));
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);

    // Kill at a third and again at two thirds: sixteen clients keep requests in flight all the time.
    let current = first;
    const acceptedAtKill: number[] = [];
    for (const at of [EVENTS / 3, (2 * EVENTS) / 3]) {
      await expect.poll(() => accepted.size, { timeout: 120_000, interval: 20 }).toBeGreaterThanOrEqual(at);
      await killHard(current);
      acceptedAtKill.push(accepted.size);
      current = await bed.startWeb({}, first.port);
    }
    await Promise.all(clients);

    // Nothing lost: every request ended in a 202.
    expect([...Array(EVENTS).keys()].filter((n) => !accepted.has(n))).toEqual([]);
    const retried = [...outcomes.entries()].filter(([, tries]) => tries.length > 1);
    const lostAnswers = retried.filter(([n]) => outcomes.get(n)!.at(-1)!.duplicate).length;
    console.info(
      `web SIGKILL: killed at ${acceptedAtKill.join(' and ')} accepted, ${retried.length} requests retried ` +
        `(${lostAnswers} of them had been committed by the killed process: their retry returned the same event)`,
    );
    // The kill hit requests in flight.
    expect(retried.length).toBeGreaterThan(0);

    // Each key is one event, the one its 202 named; a repeat of any request returns that same event.
    const rows = await ctx.db.execute<{ key: string; n: number; ids: string[] }>(
      sql`select idempotency_key as key, count(*)::int as n, array_agg(id) as ids from events group by idempotency_key`,
    );
    expect(rows.length).toBe(EVENTS);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    const idOfKey = new Map(rows.map((r) => [r.key, r.ids[0]!]));
    for (const [n, id] of accepted) expect(idOfKey.get(`web-kill-${n}`), `event ${n}`).toBe(id);
    for (const [n] of retried) {
      const again = await publish(n);
      expect(again).toEqual({ status: 202, id: accepted.get(n), duplicate: true });
    }

    // Every accepted event reaches the receiver (duplicates, if any, carry the same webhook-id).
    const ids = new Set(accepted.values());
    await waitForAllReceived(receiver, ids, 120_000);
    expect(receiver.received.every((r) => ids.has(r.headers['webhook-id']!))).toBe(true);

    await stopWeb(current);
    expect(await stopWorker(worker)).toBe(0);
  });
});
