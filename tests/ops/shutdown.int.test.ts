import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray, sql } from 'drizzle-orm';
import { attempts, deliveries, workerHeartbeats } from '../../drizzle/schema';
import { platformScope } from '../../server/domain/context';
import { createCustomer } from '../../server/domain/tenants/customers';
import { publishEvent } from '../../server/domain/events/publish';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { startFaultBed, type FaultBed } from '../support/fault';
import { startReceiver } from '../support/receiver';
import { stopWorker } from '../support/worker-process';

/**
 * SIGTERM a real worker process in the middle of a load: it stops fetching, lets the attempts in
 * hand finish, hands back (fails) the ones that cannot finish by the deadline, and exits 0 within
 * WORKER_SHUTDOWN_SECONDS. The handed-back jobs are retryable at once (not stuck `active` until
 * their lease expires), and a replacement worker delivers every accepted event.
 */
const SHUTDOWN_SECONDS = 4;
const EVENTS = 360;
const HANGING = 9; // the first events published: their endpoint holds the first request for 55 s

let bed: FaultBed;
// Small pools: several worker processes share the machine's PostgreSQL with other test files.
const SMALL_POOLS = { DATABASE_POOL_MAX: '5', QUEUE_POOL_MAX: '3' };

beforeAll(async () => {
  bed = await startFaultBed('ops_shutdown');
});
afterAll(() => bed?.stop());

const count = async (where: ReturnType<typeof sql>) =>
  (await bed.ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from ${where}`))[0]!.n;

describe('worker SIGTERM mid-load', () => {
  it('exits 0 within the deadline, hands back unfinished jobs at once, and a replacement delivers everything', async () => {
    const { ctx } = bed;
    const seen = new Set<string>();
    const hanging = new Set<string>();
    const rx = await startReceiver(async (req) => {
      const id = req.headers['webhook-id']!;
      const first = !seen.has(id);
      seen.add(id);
      // Decided by the body, not by a set the publisher fills: the request may beat publishEvent's return.
      if (first && (JSON.parse(req.body) as { data: { hang?: boolean } }).data.hang)
        return { status: 200, delayMs: 55_000 };
      return { status: 200, delayMs: 500 + Math.floor(Math.random() * 500) };
    });
    const customers = [];
    for (let i = 0; i < 3; i++) {
      const c = await createCustomer(ctx, platformScope, { name: `Shutdown ${i}` });
      await createSubscription(ctx, platformScope, {
        customerId: c.id,
        url: rx.url,
        eventTypes: ['*'],
        timeoutMs: 60_000,
        maxInFlight: 50,
      });
      customers.push(c.id);
    }

    const a = await bed.startWorker({
      ...SMALL_POOLS,
      DELIVERY_JOB_EXPIRE_SECONDS: '10',
      WORKER_SHUTDOWN_SECONDS: String(SHUTDOWN_SECONDS),
      WORKER_METRICS_PORT: '0',
    });
    const listening = a
      .output()
      .split('\n')
      .find((l) => l.includes('worker health and metrics listening'))!;
    const port = (JSON.parse(listening) as { port: number }).port;

    // Publishing runs in the background (it goes on while the worker stops: those events are
    // accepted too and the replacement must deliver them).
    const ids: string[] = [];
    const publishing = (async () => {
      for (let i = 0; i < EVENTS; i++) {
        const e = await publishEvent(ctx, platformScope, {
          type: 'order.created',
          data: { i, hang: i < HANGING },
          customerId: customers[i % 3]!,
        });
        if (i < HANGING) hanging.add(e.id);
        ids.push(e.id);
      }
    })();
    // Mid-load: the hanging requests are in flight and part of the rest is delivered.
    await expect
      .poll(() => hanging.size === HANGING && [...hanging].every((id) => seen.has(id)) && rx.received.length >= 60, {
        timeout: 60_000,
      })
      .toBe(true);

    // The worker's own /health and /metrics answer while it works.
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
      ok: boolean;
      inFlight: Record<string, number>;
    };
    expect(health.ok).toBe(true);
    expect(health.inFlight.deliver).toBeGreaterThanOrEqual(HANGING);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/^hookrelay_delivery_attempts_total\{outcome="succeeded"\} [1-9]\d*$/m);
    expect(text).toMatch(/^hookrelay_delivery_attempt_duration_seconds_count\{result="2xx"\} [1-9]\d*$/m);

    const signalledAt = Date.now();
    a.kill('SIGTERM');
    const code = await a.exited;
    const tookMs = Date.now() - signalledAt;
    console.log(
      `worker A: exit code ${code} ${tookMs} ms after SIGTERM (deadline ${SHUTDOWN_SECONDS} s); ${rx.received.length} requests received by then`,
    );
    expect(code).toBe(0);
    // It stopped fetching: a backlog is left for the replacement.
    const deliveredByA = await count(sql`deliveries where status = 'succeeded'`);
    console.log(`worker A delivered ${deliveredByA} of ${EVENTS} before it stopped`);
    expect(deliveredByA).toBeLessThan(EVENTS - HANGING);
    // The worker's own guard exits 1 after deadline + 2 s; allow process teardown on a busy machine.
    expect(tookMs).toBeLessThan((SHUTDOWN_SECONDS + 5) * 1000);
    expect(a.output()).toContain('unfinished jobs handed back');
    expect(
      a
        .output()
        .split('\n')
        .find((l) => l.includes('"msg":"worker stopped"')),
    ).toMatch(/"handedBack":([1-9]\d*)/);

    // Nothing is left `active` (which would wait DELIVERY_JOB_EXPIRE_SECONDS for the supervisor):
    // every unfinished job, the hanging ones included, is back in `retry`.
    expect(await count(sql`pgboss.job where name = 'deliver' and state = 'active'`)).toBe(0);
    const retrying = await ctx.db.execute<{ delivery_id: string; message: string }>(
      sql`select x->>'id' as delivery_id, output->>'message' as message from pgboss.job, jsonb_array_elements(data->'deliveries') x where name = 'deliver' and state = 'retry'`,
    );
    const hangingDeliveries = await ctx.db
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(inArray(deliveries.eventId, [...hanging]));
    const handedBack = new Set(retrying.map((r) => r.delivery_id));
    for (const d of hangingDeliveries) expect(handedBack.has(d.id)).toBe(true);
    expect(retrying.every((r) => r.message.includes('handed back'))).toBe(true);
    // A stopped worker removes its heartbeat: readiness does not count it.
    expect(await ctx.db.select().from(workerHeartbeats)).toHaveLength(0);

    await publishing;
    // A replacement worker finishes the job.
    const b = await bed.startWorker({ ...SMALL_POOLS, WORKER_SHUTDOWN_SECONDS: String(SHUTDOWN_SECONDS) });
    await expect
      .poll(async () => count(sql`deliveries where status = 'succeeded'`), { timeout: 90_000, interval: 500 })
      .toBe(EVENTS);
    const received = new Map<string, number>();
    for (const r of rx.received)
      received.set(r.headers['webhook-id']!, (received.get(r.headers['webhook-id']!) ?? 0) + 1);
    for (const id of ids) expect(received.get(id) ?? 0).toBeGreaterThanOrEqual(1);
    expect([...received.keys()].every((id) => ids.includes(id))).toBe(true);
    // The handed-back attempts were sent again, with the same webhook-id; each delivery has exactly
    // one recorded attempt (the interrupted ones were never recorded).
    for (const id of hanging) expect(received.get(id)).toBeGreaterThanOrEqual(2);
    expect(await ctx.db.$count(attempts, eq(attempts.status, 'succeeded'))).toBe(EVENTS);

    expect(await stopWorker(b)).toBe(0);
    await rx.close();
  });
});
