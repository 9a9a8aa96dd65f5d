import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { customers, events, subscriptions, users } from '../drizzle/schema';
import { createTestContext, type TestCtx } from '../tests/support/context';
import { createTestDatabase } from '../tests/support/db';
import { restClient, serveRest, type Rest } from '../tests/support/api';
import { createApiKey } from '../server/domain/tenants/api-keys';
import { verifyPassword } from '../server/domain/tenants/dashboard-users';

/**
 * The operator CLI, run as `pnpm cli` runs it (tsx, a child process) against a fresh database: keys it
 * prints work against the API, `--json` prints one parseable object, and errors exit non-zero with a
 * message on stderr and create nothing.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ctx: TestCtx;
let rest: Rest;

type Run = { code: number; stdout: string; stderr: string };

function cli(...args: string[]): Promise<Run> {
  return cliWith({ HOOKRELAY_SECRET_KEY: 'test-secret-key-0123456789abcdef' }, ...args);
}

function cliWith(extraEnv: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/cli.ts', ...args],
      {
        cwd: process.cwd(),
        timeout: 60_000,
        env: {
          NODE_ENV: 'test',
          PATH: process.env.PATH,
          NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
          DATABASE_URL: db.url,
          LOG_LEVEL: 'warn',
          ...extraEnv,
        },
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const lastLine = (s: string) => s.trimEnd().split('\n').at(-1)!;

beforeAll(async () => {
  db = await createTestDatabase('cli');
  // The CLI revokes keys from another process: this one must not trust a cached key meanwhile.
  ctx = await createTestContext(db.url, { apiKeyCacheMs: 0 });
  rest = restClient(ctx);
});

afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

describe('pnpm cli', () => {
  it('platform-key prints a working platform key as its last line', async () => {
    const run = await cli('platform-key', '--name', 'ops');
    expect(run.code, run.stderr).toBe(0);
    const key = lastLine(run.stdout);
    expect(key).toMatch(/^hr_plat_\S+$/);
    expect((await rest('POST', '/customers', { key, body: { name: 'Made with the CLI key' } })).status).toBe(201);
  });

  it('--json prints exactly one JSON object', async () => {
    const run = await cli('platform-key', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(run.stdout) as { id: string; key: string; kind: string };
    expect(out).toMatchObject({
      id: expect.stringMatching(/^key_/),
      key: expect.stringMatching(/^hr_plat_/),
      kind: 'platform',
    });
    expect((await rest('GET', '/customers', { key: out.key })).status).toBe(200);
  });

  it('creates a customer, its key and a dashboard login; lists and revokes the key', async () => {
    const c = await cli('customer', 'create', '--name', 'Acme', '--external-id', 'acme-1', '--json');
    expect(c.code, c.stderr).toBe(0);
    const customer = JSON.parse(c.stdout) as { id: string; name: string; externalId: string };
    expect(customer).toMatchObject({ id: expect.stringMatching(/^cus_/), name: 'Acme', externalId: 'acme-1' });

    const k = await cli('customer', 'key', '--customer', customer.id, '--name', 'integration');
    expect(k.code, k.stderr).toBe(0);
    const key = lastLine(k.stdout);
    expect(key).toMatch(/^hr_live_/);
    const me = await rest('GET', '/customers/{id}', { key, params: { id: customer.id } });
    expect(me).toMatchObject({ status: 200, body: { id: customer.id } });

    const u = await cli(
      'user',
      'create',
      '--email',
      'ops@acme.example',
      '--password',
      'correct-horse',
      '--customer',
      customer.id,
      '--json',
    );
    expect(u.code, u.stderr).toBe(0);
    expect(JSON.parse(u.stdout)).toMatchObject({
      id: expect.stringMatching(/^usr_/),
      email: 'ops@acme.example',
      customerId: customer.id,
    });

    // A new password ends every session the user has (its session version moves on).
    const versionOf = async () =>
      (await ctx.db.select({ v: users.sessionVersion }).from(users).where(eq(users.email, 'ops@acme.example')))[0]?.v;
    const v0 = await versionOf();
    const pw = await cli('user', 'password', '--email', 'OPS@acme.example', '--password', 'battery-staple', '--json');
    expect(pw.code, pw.stderr).toBe(0);
    expect(JSON.parse(pw.stdout)).toMatchObject({ id: JSON.parse(u.stdout).id, sessionsEnded: true });
    expect(await versionOf()).toBe(v0! + 1);
    expect(await verifyPassword(ctx, 'ops@acme.example', 'battery-staple')).toMatchObject({
      email: 'ops@acme.example',
    });
    expect(await verifyPassword(ctx, 'ops@acme.example', 'correct-horse')).toBeNull();
    const nobody = await cli('user', 'password', '--email', 'nobody@acme.example', '--password', 'battery-staple');
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('error: no user with email nobody@acme.example');

    const list = await cli('key', 'list', '--customer', customer.id, '--json');
    expect(list.code, list.stderr).toBe(0);
    const keys = (JSON.parse(list.stdout) as { keys: Array<{ id: string; name: string; lastUsedAt: string | null }> })
      .keys;
    expect(keys).toEqual([expect.objectContaining({ name: 'integration', lastUsedAt: expect.any(String) })]);
    expect(list.stdout).not.toContain(key);

    const r = await cli('key', 'revoke', keys[0]!.id);
    expect(r.code, r.stderr).toBe(0);
    expect(lastLine(r.stdout)).toBe(`revoked ${keys[0]!.id}`);
    expect((await rest('GET', '/customers/{id}', { key, params: { id: customer.id } })).status).toBe(401);
  });

  it('exits non-zero with a clear message, and creates nothing', async () => {
    const before = (await ctx.db.select().from(customers)).length;

    const missing = await cli('customer', 'create');
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain('error: --name is required');

    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error: unknown command: frobnicate');

    const badEmail = await cli(
      'user',
      'create',
      '--email',
      'nope',
      '--password',
      'correct-horse',
      '--customer',
      'cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E',
    );
    expect(badEmail.code).toBe(2);
    expect(badEmail.stderr).toMatch(/error: --email: .*email/i);

    const noSuchCustomer = await cli('customer', 'key', '--customer', 'cus_01JZ3K8Q9V7W2X4Y6A8B0C2D4E', '--json');
    expect(noSuchCustomer).toMatchObject({ code: 1, stdout: '' });
    expect(noSuchCustomer.stderr).toContain('error: customer not found');

    const dup = await cli('customer', 'create', '--name', 'Acme again', '--external-id', 'acme-1');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('error: a customer with externalId "acme-1" already exists');

    const noKey = await cli('key', 'revoke', 'key_01JZ3K8Q9V7W2X4Y6A8B0C2D4E');
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('error: API key not found');

    expect((await ctx.db.select().from(customers)).length).toBe(before);
  });

  it('secrets reencrypt refuses to run against DATABASE_URL without HOOKRELAY_SECRET_KEY, and changes nothing', async () => {
    const platformKey = (await createApiKey(ctx, null, 'secrets')).key;
    const c = await rest('POST', '/customers', { key: platformKey, body: { name: 'Secrets' } });
    const sub = await rest('POST', '/subscriptions', {
      key: platformKey,
      body: { customerId: c.body.id, url: 'https://example.com/hook', eventTypes: ['*'] },
    });
    expect(sub.status).toBe(201);
    const before = await ctx.db
      .select({ id: subscriptions.id, secretEnc: subscriptions.secretEnc })
      .from(subscriptions);

    const run = await cliWith({}, 'secrets', 'reencrypt');
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain('error: HOOKRELAY_SECRET_KEY is not set');
    expect(
      await ctx.db.select({ id: subscriptions.id, secretEnc: subscriptions.secretEnc }).from(subscriptions),
    ).toEqual(before);

    // With the deployment's key it runs.
    const ok = await cli('secrets', 'reencrypt', '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ scanned: before.length, alreadyCurrent: before.length });
  });

  it('commands that touch no secret still run without HOOKRELAY_SECRET_KEY', async () => {
    const run = await cliWith({}, 'platform-key');
    expect(run.code, run.stderr).toBe(0);
    expect(lastLine(run.stdout)).toMatch(/^hr_plat_/);
  });

  it('publish sends an event through a running API with the typed client, and reports its refusals', async () => {
    const api = await serveRest(ctx);
    try {
      const platformKey = (await createApiKey(ctx, null, 'remote')).key;
      const c = await rest('POST', '/customers', { key: platformKey, body: { name: 'Remote' } });
      const customerKey = (await createApiKey(ctx, c.body.id, 'remote')).key;
      // No database is needed: DATABASE_URL points nowhere.
      const remote = (...args: string[]) => cliWith({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, ...args);
      /** `publish` to the running API with `key`, an event of `type` with `data` (JSON text), then `more`. */
      const publish = (key: string, type: string, data: string, ...more: string[]) =>
        remote('publish', '--url', api.url, '--key', key, '--type', type, '--data', data, ...more);

      const run = await publish(platformKey, 'order.created', '{"n":1}', '--customer', c.body.id, '--json');
      expect(run.code, run.stderr).toBe(0);
      const sent = JSON.parse(run.stdout) as { id: string; deliveries: number; duplicate: boolean };
      expect(sent).toMatchObject({ id: expect.stringMatching(/^evt_/), deliveries: 0, duplicate: false });
      const [row] = await ctx.db.select().from(events).where(eq(events.id, sent.id));
      expect(row).toMatchObject({ customerId: c.body.id, type: 'order.created' });
      expect(JSON.parse(row!.body)).toMatchObject({ data: { n: 1 } });

      const plain = await publish(customerKey, 'order.created', '{}');
      expect(plain.code, plain.stderr).toBe(0);
      expect(lastLine(plain.stdout)).toMatch(/^evt_/);

      // The API's refusal comes back as the API said it, exit 1; bad input never leaves the machine (exit 2).
      const refused = await publish(customerKey, 'order.created', '{}', '--broadcast');
      expect(refused).toMatchObject({ code: 1, stdout: '' });
      expect(refused.stderr).toContain('error: 403 forbidden');
      const badJson = await publish(platformKey, 'order.created', '{n:1}', '--customer', c.body.id);
      expect(badJson.code).toBe(2);
      expect(badJson.stderr).toContain('--data: not valid JSON');
      const badType = await publish(platformKey, 'order created', '{}', '--customer', c.body.id);
      expect(badType.code).toBe(2);
      expect(badType.stderr).toContain('--type');
    } finally {
      await api.close();
    }
  });
});
