import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriptions } from '../../drizzle/schema';
import { createTestContext, type TestCtx } from '../../tests/support/context';
import { createTestDatabase } from '../../tests/support/db';
import { authenticateApiKey } from '../../server/domain/tenants/api-keys';
import { platformKeyFor, seedDemo } from './seed';

/** `pnpm dev`'s demo seed: idempotent, subscribed to the development receiver only where private targets are allowed. */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ctx: TestCtx;
let refusing: TestCtx;

beforeAll(async () => {
  db = await createTestDatabase('dev_seed');
  ctx = await createTestContext(db.url);
  refusing = await createTestContext(db.url, { allowPrivateTargets: false });
});

afterAll(async () => {
  await refusing?.close();
  await ctx?.close();
  await db?.drop();
});

describe('the demo seed', () => {
  it('without private targets: the customer and login, no subscription to this machine', async () => {
    const seeded = await seedDemo(refusing, { receiverUrl: 'http://127.0.0.1:3000/api/dev/receiver' });
    expect(seeded.subscriptionId).toBeNull();
    expect(await refusing.db.select().from(subscriptions)).toEqual([]);
  });

  it('subscribes the demo customer to the receiver for every event, once, and follows a new port', async () => {
    const first = await seedDemo(ctx, { receiverUrl: 'http://127.0.0.1:3000/api/dev/receiver' });
    expect(first.subscriptionId).toMatch(/^sub_/);
    const again = await seedDemo(ctx, { receiverUrl: 'http://127.0.0.1:3000/api/dev/receiver' });
    expect(again).toEqual(first);
    const moved = await seedDemo(ctx, { receiverUrl: 'http://127.0.0.1:3304/api/dev/receiver' });
    expect(moved).toEqual(first);
    const rows = await ctx.db.select().from(subscriptions).where(eq(subscriptions.customerId, first.customerId));
    expect(rows.map((r) => ({ url: r.url, eventTypes: r.eventTypes, active: r.active }))).toEqual([
      { url: 'http://127.0.0.1:3304/api/dev/receiver', eventTypes: ['*'], active: true },
    ]);
  });

  it('keeps the saved platform key only when it belongs to this database', async () => {
    const made = await platformKeyFor(ctx, undefined);
    expect(await platformKeyFor(ctx, made)).toBe(made);
    const foreign = 'hr_plat_' + 'x'.repeat(43);
    const replaced = await platformKeyFor(ctx, foreign);
    expect(replaced).not.toBe(foreign);
    expect((await authenticateApiKey(ctx, replaced))?.scope.kind).toBe('platform');
  });
});
