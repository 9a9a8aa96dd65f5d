import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { deliveries } from '../../drizzle/schema';
import { platformScope } from '../../server/domain/context';
import { createCustomer } from '../../server/domain/tenants/customers';
import { publishEvent } from '../../server/domain/events/publish';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { startFaultBed, waitForAllReceived, waitForAllSettled, type FaultBed } from '../support/fault';
import { stopWorker } from '../support/worker-process';

/**
 * Requirement 1: a worker killed with SIGKILL mid-delivery loses nothing. Two real worker processes
 * drain the queue while a receiver answers slowly (so attempts are in flight); one is killed, a
 * replacement starts, and every accepted event must reach the receiver. The killed worker's jobs
 * come back when pg-boss expires them (DELIVERY_JOB_EXPIRE_SECONDS=5), so some events arrive twice,
 * always with the same webhook-id.
 */
const EVENTS = 300;
const CUSTOMERS = 10;

let bed: FaultBed;

beforeAll(async () => {
  bed = await startFaultBed('fault_kill', { reply: () => ({ status: 200, delayMs: 300 }) });
});

afterAll(() => bed?.stop());

describe('SIGKILL of a worker under load', () => {
  it('loses no accepted event; duplicates carry the same webhook-id', async () => {
    const { ctx, receiver } = bed;
    const secretOf = new Map<string, string>();
    const customerIds: string[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const c = await createCustomer(ctx, platformScope, { name: `Load ${i}` });
      const s = await createSubscription(ctx, platformScope, {
        customerId: c.id,
        url: `${receiver.url}/c${i}`,
        eventTypes: ['*'],
      });
      customerIds.push(c.id);
      secretOf.set(c.id, s.secret);
    }

    // A modest concurrency keeps the three worker processes' connection pools well inside the shared
    // server's max_connections while other test files run beside this one.
    const env = { CUSTOMER_MAX_IN_FLIGHT: '10', WORKER_CONCURRENCY: '16' };
    const [victim, survivor] = await Promise.all([bed.startWorker(env), bed.startWorker(env)]);

    // Publish while the workers drain; kill one once a third has arrived.
    const accepted = new Map<string, string>(); // event id → customer id
    const killed = receiver.waitFor(EVENTS / 3, 60_000).then(() => {
      victim.kill('SIGKILL');
      return bed.spawnWorker(env);
    });
    for (let i = 0; i < EVENTS; i += 5) {
      const batch = await Promise.all(
        Array.from({ length: 5 }, (_, k) => {
          const customerId = customerIds[(i + k) % CUSTOMERS]!;
          return publishEvent(ctx, platformScope, { type: 'load.test', data: { n: i + k }, customerId }).then(
            (r) => [r.id, customerId] as const,
          );
        }),
      );
      for (const [id, customerId] of batch) accepted.set(id, customerId);
    }
    const replacement = await killed;
    expect(await victim.exited).toBeNull(); // killed by the signal
    await replacement.ready;

    // Every accepted event arrives.
    await waitForAllReceived(receiver, accepted.keys(), 90_000);
    await waitForAllSettled(ctx);
    const statuses = await ctx.db
      .select({ status: deliveries.status, n: sql<number>`count(*)::int` })
      .from(deliveries)
      .groupBy(deliveries.status);
    expect(statuses).toEqual([{ status: 'succeeded', n: EVENTS }]);

    // Duplicates only ever repeat an accepted event's webhook-id, and every request verifies.
    const seen = new Map<string, number>();
    for (const r of receiver.received) {
      const id = r.headers['webhook-id']!;
      const customerId = accepted.get(id);
      expect(customerId, `unexpected webhook-id ${id}`).toBeDefined();
      expect((new Webhook(secretOf.get(customerId!)!).verify(r.body, r.headers) as { id: string }).id).toBe(id);
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    const duplicates = receiver.received.length - seen.size;
    console.info(
      `SIGKILL test: ${EVENTS} events sent, ${seen.size} delivered, ${receiver.received.length} requests, ${duplicates} duplicates (same webhook-id)`,
    );
    expect(seen.size).toBe(EVENTS);
    // The victim had attempts in flight: they were re-sent after pg-boss expired its jobs.
    expect(duplicates).toBeGreaterThan(0);

    // No deliver job is left unsettled, and the survivors drain and exit cleanly on SIGTERM.
    const open = await ctx.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pgboss.job where name = 'deliver' and state in ('created', 'retry', 'active')`,
    );
    expect(open[0]!.n).toBe(0);
    expect(await stopWorker(survivor)).toBe(0);
    expect(await stopWorker(replacement)).toBe(0);
  });
});
