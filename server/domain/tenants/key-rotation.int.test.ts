import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { subscriptions } from '../../../drizzle/schema';
import { createOperationalWebhook } from '../subscriptions/platform-webhooks';
import { createTestDatabase } from '../../../tests/support/db';
import { createTestContext, type TestCtx } from '../../../tests/support/context';
import { platformScope } from '../context';
import { encryptV1 } from '../../../tests/support/legacy-crypto';
import { decryptSecret, encryptSecret, keyring, sealedIn } from '../crypto';
import { createCustomer } from './customers';
import { reencryptSecrets } from './key-rotation';
import { createSubscription, deleteSubscription } from '../subscriptions/subscription-changes';
import { getSubscriptionSecret } from '../subscriptions/subscription-reads';
import { rotateSecret } from '../subscriptions/signing-secret-rotation';

const OLD_KEY = 'test-secret-key-0123456789abcdef'; // the key tests/support/context.ts encrypts with
const NEW_KEY = 'rotated-secret-key-fedcba9876543210';
const run = promisify(execFile);

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ctx: TestCtx;

beforeAll(async () => {
  db = await createTestDatabase('keyrotation');
  ctx = await createTestContext(db.url);
});
afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

describe('rotating HOOKRELAY_SECRET_KEY', () => {
  it('re-encrypts every subscription secret (current and rotating-out) under the new key, once', async () => {
    const customer = await createCustomer(ctx, platformScope, { name: 'Rotation' });
    const plain = new Map<string, { secret: string; previous?: string }>();
    for (let i = 0; i < 7; i++) {
      const s = await createSubscription(ctx, platformScope, {
        customerId: customer.id,
        url: `https://example.com/hook/${i}`,
        eventTypes: ['*'],
      });
      plain.set(s.id, { secret: s.secret });
    }
    // One subscription mid-rotation: its rotating-out secret is encrypted too.
    const [rotating] = [...plain.keys()];
    const rotated = await rotateSecret(ctx, platformScope, rotating!);
    plain.set(rotating!, { secret: rotated.secret, previous: plain.get(rotating!)!.secret });

    // An operational webhook's secret is under the same key.
    const ops = await createOperationalWebhook(ctx, platformScope, { url: 'https://ops.example.com/hook' });

    // The operator deploys the new key with the old one as previous, then runs the command.
    const both = { ...ctx, keys: keyring(NEW_KEY, [OLD_KEY]) };
    const first = await reencryptSecrets(both, { batchSize: 3 });
    expect(first).toEqual({ scanned: 8, reencrypted: 8, current: 0, failed: [] });
    const second = await reencryptSecrets(both);
    expect(second).toEqual({ scanned: 8, reencrypted: 0, current: 8, failed: [] });
    const [opsRow] = await ctx.db.select().from(subscriptions).where(eq(subscriptions.id, ops.id));
    expect(decryptSecret(keyring(NEW_KEY), opsRow!.secretEnc, sealedIn.subscriptionSecret(ops.id))).toBe(ops.secret);

    // Without the old key, every secret still decrypts to what the customer holds.
    const newOnly = { ...ctx, keys: keyring(NEW_KEY) };
    for (const [id, p] of plain) {
      expect((await getSubscriptionSecret(newOnly, platformScope, id)).secret).toBe(p.secret);
      const [row] = await ctx.db.select().from(subscriptions).where(eq(subscriptions.id, id));
      if (p.previous)
        expect(decryptSecret(newOnly.keys, row!.previousSecretEnc!, sealedIn.subscriptionSecret(id))).toBe(p.previous);
      else expect(row!.previousSecretEnc).toBeNull();
    }
    // And the old key alone no longer opens them.
    const [any] = await ctx.db.select().from(subscriptions).limit(1);
    expect(() => decryptSecret(keyring(OLD_KEY), any!.secretEnc, sealedIn.subscriptionSecret(any!.id))).toThrow(
      /unknown key/,
    );
  });

  it('upgrades secrets stored in the earlier format (v1, not bound to their row), which are read until then', async () => {
    const customer = await createCustomer(ctx, platformScope, { name: 'Upgrade' });
    const s = await createSubscription(ctx, platformScope, {
      customerId: customer.id,
      url: 'https://example.com/upgrade',
      eventTypes: ['*'],
      headers: { 'X-Token': 't0ken' },
    });
    const ops = await createOperationalWebhook(ctx, platformScope, { url: 'https://ops.example.com/upgrade' });
    // Rows as an earlier version wrote them.
    await ctx.db
      .update(subscriptions)
      .set({
        secretEnc: encryptV1(OLD_KEY, s.secret),
        previousSecretEnc: encryptV1(OLD_KEY, 'whsec_previous'),
        headersEnc: encryptV1(OLD_KEY, JSON.stringify({ 'X-Token': 't0ken' })),
      })
      .where(eq(subscriptions.id, s.id));
    await ctx.db
      .update(subscriptions)
      .set({ secretEnc: encryptV1(OLD_KEY, ops.secret) })
      .where(eq(subscriptions.id, ops.id));

    // Read as they are, before any upgrade.
    expect((await getSubscriptionSecret(ctx, platformScope, s.id)).secret).toBe(s.secret);

    // No key change (the rows of the test above are under NEW_KEY, listed as previous): the command
    // rewrites the old-format rows to v2 under the current key.
    const upgrading = { ...ctx, keys: keyring(OLD_KEY, [NEW_KEY]) };
    const report = await reencryptSecrets(upgrading);
    expect(report.failed).toEqual([]);
    expect(report.reencrypted).toBeGreaterThanOrEqual(2);
    expect((await reencryptSecrets(upgrading)).reencrypted).toBe(0);

    const [row] = await ctx.db.select().from(subscriptions).where(eq(subscriptions.id, s.id));
    const [opsRow] = await ctx.db.select().from(subscriptions).where(eq(subscriptions.id, ops.id));
    for (const enc of [row!.secretEnc, row!.previousSecretEnc!, row!.headersEnc!, opsRow!.secretEnc])
      expect(enc).toMatch(/^v2\./);
    expect(decryptSecret(ctx.keys, row!.secretEnc, sealedIn.subscriptionSecret(s.id))).toBe(s.secret);
    expect(decryptSecret(ctx.keys, row!.previousSecretEnc!, sealedIn.subscriptionSecret(s.id))).toBe('whsec_previous');
    expect(JSON.parse(decryptSecret(ctx.keys, row!.headersEnc!, sealedIn.subscriptionHeaders(s.id)))).toEqual({
      'X-Token': 't0ken',
    });
    expect(decryptSecret(ctx.keys, opsRow!.secretEnc, sealedIn.subscriptionSecret(ops.id))).toBe(ops.secret);
  });

  it('a secret copied onto another row does not decrypt there', async () => {
    const customer = await createCustomer(ctx, platformScope, { name: 'Copy' });
    const mine = await createSubscription(ctx, platformScope, {
      customerId: customer.id,
      url: 'https://example.com/mine',
      eventTypes: ['*'],
    });
    const theirs = await createSubscription(ctx, platformScope, {
      customerId: customer.id,
      url: 'https://example.com/theirs',
      eventTypes: ['*'],
    });
    const [source] = await ctx.db
      .select({ secretEnc: subscriptions.secretEnc })
      .from(subscriptions)
      .where(eq(subscriptions.id, theirs.id));
    await ctx.db.update(subscriptions).set({ secretEnc: source!.secretEnc }).where(eq(subscriptions.id, mine.id));
    await expect(getSubscriptionSecret(ctx, platformScope, mine.id)).rejects.toThrow(/copied from another row/);
    expect((await getSubscriptionSecret(ctx, platformScope, theirs.id)).secret).toBe(theirs.secret);
    await deleteSubscription(ctx, platformScope, mine.id);
  });

  it('`pnpm cli secrets reencrypt` does it against DATABASE_URL and reports secrets under an unknown key', async () => {
    const customer = await createCustomer(ctx, platformScope, { name: 'CLI rotation' });
    const s = await createSubscription(ctx, platformScope, {
      customerId: customer.id,
      url: 'https://example.com/cli',
      eventTypes: ['*'],
    });
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      HOOKRELAY_SECRET_KEY: 'cli-new-key-0123456789abcdef',
      HOOKRELAY_SECRET_KEY_PREVIOUS: `${NEW_KEY},${OLD_KEY}`,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production' as const,
      PUBLIC_URL: 'https://hooks.example.com',
    };
    const ok = await run('node_modules/.bin/tsx', ['scripts/cli.ts', 'secrets', 'reencrypt', '--json'], { env });
    const report = JSON.parse(ok.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(report.reencrypted).toBeGreaterThanOrEqual(8);
    // Nothing was sealed under the new key before this run.
    expect(report.alreadyCurrent).toBe(0);
    expect(
      (await getSubscriptionSecret({ ...ctx, keys: keyring('cli-new-key-0123456789abcdef') }, platformScope, s.id))
        .secret,
    ).toBe(s.secret);

    // A secret under a key nobody configured: reported with its id, exit code 1, nothing else broken.
    const orphan = await createSubscription(ctx, platformScope, {
      customerId: customer.id,
      url: 'https://example.com/orphan',
      eventTypes: ['*'],
    });
    await ctx.db
      .update(subscriptions)
      .set({
        secretEnc: encryptSecret(
          keyring('a-key-that-was-thrown-away-000'),
          'whsec_x',
          sealedIn.subscriptionSecret(orphan.id),
        ),
      })
      .where(eq(subscriptions.id, orphan.id));
    const bad = await run('node_modules/.bin/tsx', ['scripts/cli.ts', 'secrets', 'reencrypt'], { env }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(orphan.id);
    expect(bad.stderr).toMatch(/unknown key/);
  });
});
