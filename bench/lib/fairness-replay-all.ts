/**
 * `pnpm bench fairness`, scenario A: "replay all" on 10,000 dead letters: progress over time while
 * another customer's live traffic flows; a second click; a too-early third click.
 */
import { customerScope, platformScope, type Ctx } from '../../server/domain/context';
import { DomainError } from '../../server/domain/errors';
import { createBulkReplay, getBulkReplay } from '../../server/domain/replay/bulk';
import { createCustomer } from '../../server/domain/tenants/customers';
import { createSubscription } from '../../server/domain/subscriptions/subscription-changes';
import { latencies, publishLoop, type Published } from './fairness-load';
import { seedDeadLetters } from '../../tests/support/seed';
import { sleep, type Receiver } from './harness';
import { percentile, printTable } from './table';

/** Dead letters of yesterday, kept for 30 days. */
const DAY_OLD = { at: new Date(Date.now() - 86400_000), keepDays: 30 };

export async function scenarioA(ctx: Ctx, rx: Receiver) {
  const replayer = await createCustomer(ctx, platformScope, { name: 'Replayer' });
  const sub = await createSubscription(ctx, platformScope, {
    customerId: replayer.id,
    url: `${rx.url}/ok`,
    eventTypes: ['*'],
  });
  const live = await createCustomer(ctx, platformScope, { name: 'Live neighbour' });
  await createSubscription(ctx, platformScope, { customerId: live.id, url: `${rx.url}/ok`, eventTypes: ['*'] });
  await seedDeadLetters(ctx, replayer.id, sub.id, 10_000, DAY_OLD);
  const scope = customerScope(replayer.id);
  const first = await createBulkReplay(ctx, scope, {});
  const second = await createBulkReplay(ctx, scope, {});
  const published: Published = new Map();
  const livePublished: Published = new Map();
  let stop = false;
  const loop = publishLoop(ctx, [live.id, replayer.id], 10, () => stop, livePublished);
  const rows = [];
  const start = Date.now();
  let lastT = start;
  for (;;) {
    await sleep(5000);
    const p = await getBulkReplay(ctx, scope, first.id);
    const now = Date.now();
    const lat = latencies(rx, livePublished, lastT, now);
    rows.push({
      s: Math.round((now - start) / 1000),
      status: p.status,
      total: p.total,
      enqueued: p.enqueued,
      delivered: p.delivered,
      failed: p.failed,
      'in flight': p.inFlight,
      'live p50 ms': percentile(lat, 50),
      'live p99 ms': percentile(lat, 99),
    });
    lastT = now;
    if (p.delivered + p.failed >= p.total || now - start > 300_000) break;
  }
  stop = true;
  await loop;
  void published;
  let third: string;
  try {
    const r = await createBulkReplay(ctx, scope, {});
    third = `returned ${r.id} (${r.status})`;
  } catch (err) {
    third = err instanceof DomainError ? `${err.code} (HTTP 429), Retry-After ${err.retryAfterSeconds} s` : String(err);
  }
  printTable(
    'Scenario A: "replay all" on 10,000 dead letters (replay rate 200/s for the customer; live traffic 10/s from it and a neighbour)',
    rows,
  );
  console.log(
    `second click while running: returned the same replay (${second.id === first.id ? 'same id' : 'DIFFERENT id'}, existing=${second.existing}); third click right after: ${third}`,
  );
  return { rows, secondSame: second.id === first.id, third };
}
