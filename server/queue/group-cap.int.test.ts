import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../tests/support/db';
import { createTestContext, type TestCtx } from '../../tests/support/context';
import { enqueueMany, fetchCapped } from './boss';

/**
 * The per-customer cap on attempts in flight (pg-boss group concurrency) must hold when many
 * workers fetch at the same moment. pg-boss counts a group's active jobs without a lock, so
 * unserialised fetches from several workers each see the whole cap free.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
const contexts: TestCtx[] = [];

beforeAll(async () => {
  db = await createTestDatabase('group_cap');
  // Six workers' worth of connections and pg-boss instances, as six processes would have.
  for (let i = 0; i < 6; i++) contexts.push(await createTestContext(db.url));
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await db?.drop();
});

describe('fetchCapped', () => {
  it('never hands out more of one group than its cap, however many workers fetch at once', async () => {
    const ctx = contexts[0]!;
    const cap = 3;
    for (let round = 0; round < 5; round++) {
      const group = { id: `cust_round_${round}`, tier: 'standard' };
      await enqueueMany(
        ctx.boss,
        'deliver',
        Array.from({ length: 60 }, (_, i) => ({
          data: { customerId: group.id, deliveries: [{ id: `dlv_${round}_${i}`, attempt: 1 }] },
          group,
        })),
      );
      // Every worker fetches twice, all at once.
      const fetched = await Promise.all(
        [...contexts, ...contexts].map((c) =>
          fetchCapped(c.db, c.boss, 'deliver', { batchSize: 20, groupConcurrency: { default: cap } }),
        ),
      );
      const mine = fetched
        .flat()
        .filter((j) => (j.data as { deliveries: Array<{ id: string }> }).deliveries[0]!.id.startsWith(`dlv_${round}_`));
      expect(mine.length).toBe(cap);
      // Settle them so the next round's group starts empty (other rounds' groups are their own).
      await ctx.boss.complete(
        'deliver',
        mine.map((j) => j.id),
      );
    }
  });

  it('hands out the next jobs of a group as soon as its active ones complete', async () => {
    const ctx = contexts[0]!;
    const group = { id: 'cust_refill', tier: 'standard' };
    await enqueueMany(
      ctx.boss,
      'deliver',
      Array.from({ length: 5 }, (_, i) => ({
        data: { customerId: group.id, deliveries: [{ id: `dlv_refill_${i}`, attempt: 1 }] },
        group,
      })),
    );
    // Other tests' groups have jobs in this queue too: count this group's only.
    const fetchRefill = async (c: TestCtx) =>
      (await fetchCapped(c.db, c.boss, 'deliver', { batchSize: 500, groupConcurrency: { default: 2 } })).filter((j) =>
        (j.data as { deliveries: Array<{ id: string }> }).deliveries[0]!.id.startsWith('dlv_refill_'),
      );
    const first = await fetchRefill(ctx);
    expect(first).toHaveLength(2);
    expect(await fetchRefill(contexts[1]!)).toHaveLength(0);
    await ctx.boss.complete('deliver', [first[0]!.id]);
    expect(await fetchRefill(contexts[1]!)).toHaveLength(1);
  });
});
