/**
 * `pnpm bench subscriptions`: what payload filters and catalog schemas cost, in-process against a
 * fresh database (no HTTP, no workers: the fan-out and publish paths alone).
 *   1. fan-out delivery rows/s of one broadcast to 5,000 subscriptions: without filters, with a
 *      5-condition filter on each (that holds, so the same rows are written), and with one that
 *      fails (nothing written; the decisions are recorded for the trace);
 *   2. evaluateFilter calls/s for that filter on a ~1 KiB body (the pure cost);
 *   3. publish latency and group-commit throughput for a type outside the catalog, a listed type
 *      without a schema, and a type with a JSON Schema (validator compiled once, then cached).
 * Each comparison alternates its variants over several rounds and reports the median.
 */
import { eq } from 'drizzle-orm';
import { broadcasts } from '../drizzle/schema';
import { platformScope, customerScope } from '../server/domain/context';
import { createEventType } from '../server/domain/events/type-catalog';
import { runFanOutJob } from '../server/domain/events/fanout';
import { publishEvent } from '../server/domain/events/publish';
import { publishEventBatched } from '../server/domain/events/group-commit';
import { evaluateFilter, type Filter } from '../server/domain/filters';
import { createCustomer } from '../server/domain/tenants/customers';
import { createSubscription } from '../server/domain/subscriptions/subscription-changes';
import { migrateDatabase } from '../server/migrate';
import { benchContext } from './lib/context';
import { benchDatabase, saveResult } from './lib/harness';
import { percentile, printTable } from './lib/table';

const SUBS = 5000;
const ROUNDS = 5;
const DATA = {
  amount: 4200,
  currency: 'eur',
  customer: { country: 'FR', tier: 'gold', email: 'ada@example.com' },
  items: [{ sku: 'A-1', qty: 2 }],
  pad: 'x'.repeat(700),
};
/** Five conditions, all holding on DATA. */
const HOLDS: Filter = {
  'data.amount': { $gte: 1000 },
  'data.currency': { $in: ['eur', 'usd'] },
  'data.customer.country': 'FR',
  'data.customer.email': { $endsWith: '@example.com' },
  'data.items': { $contains: { sku: 'A-1', qty: 2 } },
};
/** The same five, the last failing: every condition is evaluated, then the subscription is excluded. */
const FAILS: Filter = { ...HOLDS, 'data.items': { $contains: { sku: 'Z-9', qty: 1 } } };
const SCHEMA = {
  type: 'object',
  required: ['amount', 'currency', 'customer'],
  properties: {
    amount: { type: 'integer', minimum: 0 },
    currency: { enum: ['eur', 'usd', 'gbp'] },
    customer: {
      type: 'object',
      required: ['country'],
      properties: {
        country: { type: 'string', minLength: 2, maxLength: 2 },
        tier: { type: 'string' },
        email: { type: 'string', format: 'email' },
      },
    },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sku', 'qty'],
        properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1 } },
      },
    },
    pad: { type: 'string' },
  },
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function runSubscriptions(): Promise<void> {
  const database = await benchDatabase();
  await migrateDatabase(database.url);
  const ctx = await benchContext(database.url);
  try {
    // 1. Fan-out: three sets of 5,000 subscriptions (50 customers × 100), one event type each.
    const sets = { none: 'fan.plain', holds: 'fan.filtered', fails: 'fan.excluded' } as const;
    const filterOf = { none: undefined, holds: HOLDS, fails: FAILS };
    for (let c = 0; c < 50; c++) {
      const cus = await createCustomer(ctx, platformScope, { name: `Fan ${c}` });
      for (const [kind, type] of Object.entries(sets) as Array<[keyof typeof sets, string]>) {
        await Promise.all(
          Array.from({ length: SUBS / 50 }, () =>
            createSubscription(ctx, platformScope, {
              customerId: cus.id,
              url: 'http://127.0.0.1:9/none',
              eventTypes: [type],
              ...(filterOf[kind] && { filter: filterOf[kind] }),
            }),
          ),
        );
      }
    }
    const fanout: Record<keyof typeof sets, number[]> = { none: [], holds: [], fails: [] };
    const rows: Record<keyof typeof sets, number> = { none: 0, holds: 0, fails: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of Object.keys(sets) as Array<keyof typeof sets>) {
        const e = await publishEvent(ctx, platformScope, { type: sets[kind], data: DATA, broadcast: true });
        const t0 = performance.now();
        await runFanOutJob(ctx, { eventId: e.id });
        const seconds = (performance.now() - t0) / 1000;
        const [row] = await ctx.db
          .select({ n: broadcasts.deliveryCount })
          .from(broadcasts)
          .where(eq(broadcasts.id, e.id));
        rows[kind] = row?.n ?? 0;
        // Subscriptions considered per second: rows written when the filter holds, decisions when it fails.
        fanout[kind].push(SUBS / seconds);
      }
    }

    // 2. The evaluator alone.
    const body = JSON.parse(
      JSON.stringify({ id: 'evt_x', type: 'fan.filtered', timestamp: new Date().toISOString(), data: DATA }),
    ) as unknown;
    const evalRuns: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const n = 200_000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) evaluateFilter(HOLDS, body);
      evalRuns.push(n / ((performance.now() - t0) / 1000));
    }

    // 3. Publish: outside the catalog, listed without a schema, listed with a schema.
    const publisher = await createCustomer(ctx, platformScope, { name: 'Publisher' });
    await createEventType(ctx, platformScope, { name: 'bench.listed', description: 'no schema' });
    await createEventType(ctx, platformScope, { name: 'bench.schema', description: 'with a schema', schema: SCHEMA });
    const kinds = { outside: 'bench.outside', listed: 'bench.listed', schema: 'bench.schema' } as const;
    const lat: Record<keyof typeof kinds, number[]> = { outside: [], listed: [], schema: [] };
    const batched: Record<keyof typeof kinds, number[]> = { outside: [], listed: [], schema: [] };
    const scope = customerScope(publisher.id);
    for (const type of Object.values(kinds)) await publishEvent(ctx, scope, { type, data: DATA }); // warm-up (compiles the validator)
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of Object.keys(kinds) as Array<keyof typeof kinds>) {
        for (let i = 0; i < 300; i++) {
          const t0 = performance.now();
          await publishEvent(ctx, scope, { type: kinds[kind], data: DATA });
          lat[kind].push(performance.now() - t0);
        }
        const end = Date.now() + 3000;
        let n = 0;
        await Promise.all(
          Array.from({ length: 32 }, async () => {
            while (Date.now() < end) {
              await publishEventBatched(ctx, scope, { type: kinds[kind], data: DATA });
              n++;
            }
          }),
        );
        batched[kind].push(n / 3);
      }
    }

    const results = {
      fanout: Object.fromEntries(
        Object.keys(sets).map((k) => [
          k,
          {
            subscriptionsPerSecond: Math.round(median(fanout[k as keyof typeof sets])),
            rowsPerEvent: rows[k as keyof typeof sets],
          },
        ]),
      ),
      evaluateFilterPerSecond: Math.round(median(evalRuns)),
      publish: Object.fromEntries(
        Object.keys(kinds).map((k) => {
          const key = k as keyof typeof kinds;
          return [
            k,
            {
              p50: percentile(lat[key], 50),
              p99: percentile(lat[key], 99),
              batchedPerSecond: Math.round(median(batched[key])),
            },
          ];
        }),
      ),
    };
    printTable('Fan-out of one broadcast to 5,000 subscriptions (median of 5)', [
      {
        variant: 'no filter',
        'subscriptions/s': results.fanout.none!.subscriptionsPerSecond,
        'delivery rows': rows.none,
      },
      {
        variant: '5-condition filter that holds',
        'subscriptions/s': results.fanout.holds!.subscriptionsPerSecond,
        'delivery rows': rows.holds,
      },
      {
        variant: '5-condition filter that fails',
        'subscriptions/s': results.fanout.fails!.subscriptionsPerSecond,
        'delivery rows': rows.fails,
      },
    ]);
    printTable('evaluateFilter alone (5 conditions, ~1 KiB body)', [
      { figure: 'evaluations/s', value: results.evaluateFilterPerSecond },
    ]);
    printTable(
      'Publish (one customer, no subscriptions; 300 sequential + 3 s of 32 concurrent, median of 5)',
      (Object.keys(kinds) as Array<keyof typeof kinds>).map((k) => ({
        type: {
          outside: 'outside the catalog',
          listed: 'in the catalog, no schema',
          schema: 'in the catalog, JSON Schema',
        }[k],
        'p50 ms': results.publish[k]!.p50,
        'p99 ms': results.publish[k]!.p99,
        'group commit events/s': results.publish[k]!.batchedPerSecond,
      })),
    );
    console.log(`\nsaved ${saveResult('subscriptions', results)}`);
  } finally {
    await ctx.close();
    await database.stop();
  }
}
