import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformScope } from '../../server/domain/context';
import { publishBatch } from '../../server/domain/events/publish-batch';
import { createCustomer } from '../../server/domain/tenants/customers';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { rawClient } from '../../server/db/client';
import { killHard, startFaultBed, waitForSucceeded, type FaultBed } from '../support/fault';
import { stopWorker } from '../support/worker-process';

/**
 * At-least-once inside a batch: one `deliver` job carries 100 attempts; the worker is killed with
 * SIGKILL when half of them are recorded and the other half are on the wire. After pg-boss hands the
 * job to a replacement worker, every delivery of the batch is recorded exactly once: the recorded
 * half is skipped (its attempt numbers were spent), the unrecorded half is sent again with the
 * same webhook-id.
 */
const N = 100;

let bed: FaultBed;
const seen = new Set<string>();

beforeAll(async () => {
  bed = await startFaultBed('fault_batch_kill', {
    config: { customerMaxInFlight: N },
    // First sight of a webhook-id: the even-numbered events are answered at once, the odd ones hang
    // (the worker dies with them on the wire); every later request is answered at once.
    reply: (req) => {
      const id = req.headers['webhook-id']!;
      const first = !seen.has(id);
      seen.add(id);
      const n = (JSON.parse(req.body) as { data: { n: number } }).data.n;
      return { status: 200, delayMs: first && n % 2 === 1 ? 60_000 : 0 };
    },
  });
});

afterAll(() => bed?.stop());

describe('SIGKILL in the middle of a batch of 100', () => {
  it('records every delivery of the batch once: the recorded half is not sent again, the rest is', async () => {
    const { ctx, receiver } = bed;
    const c = await createCustomer(ctx, platformScope, { name: 'Batch' });
    await createSubscription(ctx, platformScope, {
      customerId: c.id,
      url: `${receiver.url}/batch`,
      eventTypes: ['*'],
      maxInFlight: N,
    });
    const env = { CUSTOMER_MAX_IN_FLIGHT: String(N), WORKER_CONCURRENCY: String(N) };
    // Started first, so the queue it configures (DELIVERY_JOB_EXPIRE_SECONDS=5) applies to the job.
    const victim = await bed.startWorker(env);
    const { results } = await publishBatch(
      ctx,
      platformScope,
      Array.from({ length: N }, (_, n) => ({ type: 'batch.test', customerId: c.id, data: { n } })),
    );
    const ids = results.map((r) => ('id' in r ? r.id : ''));
    expect(ids.every(Boolean)).toBe(true);
    const raw = rawClient(ctx.db);
    // Admitted at publish, all 100 in one job.
    const jobs = await raw<
      { n: number }[]
    >`select jsonb_array_length(data->'deliveries') as n from pgboss.job where name = 'deliver'`;
    expect(jobs.map((j) => j.n)).toEqual([N]);

    // Every attempt is on the wire and the even half is recorded.
    await receiver.waitFor(N, 60_000);
    await expect
      .poll(async () => (await raw<{ n: number }[]>`select count(*)::int as n from attempts`)[0]!.n, {
        timeout: 30_000,
      })
      .toBe(N / 2);
    await killHard(victim);
    const [job] = await raw<{ state: string }[]>`select state from pgboss.job where name = 'deliver'`;
    expect(job!.state).toBe('active');

    const replacement = await bed.startWorker(env);
    await waitForSucceeded(ctx, N, 60_000, 250);

    // Each delivery has exactly one attempt row; the job that carried them is settled.
    const attempts = await raw<
      { delivery_id: string; n: number }[]
    >`select delivery_id, count(*)::int as n from attempts group by delivery_id`;
    expect(attempts).toHaveLength(N);
    expect(attempts.every((a) => a.n === 1)).toBe(true);
    const open = await raw<
      { n: number }[]
    >`select count(*)::int as n from pgboss.job where name = 'deliver' and state in ('created', 'retry', 'active')`;
    expect(open[0]!.n).toBe(0);

    // On the wire: the recorded (even) half once, the killed (odd) half twice, always with its event's id.
    const count = new Map<string, number>();
    for (const r of receiver.received)
      count.set(r.headers['webhook-id']!, (count.get(r.headers['webhook-id']!) ?? 0) + 1);
    ids.forEach((id, n) => expect(count.get(id), `event ${n}`).toBe(n % 2 === 0 ? 1 : 2));
    expect(await stopWorker(replacement)).toBe(0);
  }, 180_000);
});
