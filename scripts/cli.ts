/**
 * `pnpm cli <command>`: operator commands against DATABASE_URL (or, without it, the dev database:
 * the running `pnpm dev` embedded server, or a temporary one on the same data).
 *
 *   platform-key [--name N]                          new platform API key (printed as the last line)
 *   customer create --name N [--external-id X] [--tier T]
 *   customer key --customer C [--name N]             new customer API key (printed as the last line)
 *   user create --email E --password P --customer C  dashboard login
 *   user password --email E --password P             set a dashboard user's password; ends every
 *                                                    session the user has
 *   key list [--customer C]                          API keys with their last use (never the keys)
 *   key revoke <keyId>                               stops a key at once
 *   secrets reencrypt                                after rotating HOOKRELAY_SECRET_KEY: re-encrypt every
 *                                                    subscription secret under the current key
 *   workers                                          worker processes seen in the last 30 s
 *   publish --url U --key K --type T --data JSON [--customer C | --broadcast] [--idempotency-key I]
 *                                                    publish an event through the REST API at U (with the
 *                                                    typed client generated from the OpenAPI document), as
 *                                                    a platform service does; needs no database
 *
 * `--json` prints exactly one JSON object on stdout instead. Errors go to stderr as `error: …` with
 * exit code 1 (2 for a command line that cannot be understood), and change nothing.
 */
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import type { Ctx } from '../server/domain/context';
import { resolveDatabase, type ScriptDatabase } from './lib/database';
import { loadDevSecrets } from './lib/secrets';

const USAGE = `usage: pnpm cli <command> [--json]
  platform-key [--name N]
  customer create --name N [--external-id X] [--tier T]
  customer key --customer C [--name N] [--scopes publish,read,manage,keys]
  user create --email E --password P --customer C
  user password --email E --password P
  key list [--customer C]
  key revoke <keyId>
  secrets reencrypt
  workers
  publish --url U --key K --type T --data JSON [--customer C | --broadcast] [--idempotency-key I]`;

class UsageError extends Error {}

/** Commands that decrypt or encrypt subscription secrets: they need the deployment's HOOKRELAY_SECRET_KEY. */
const SECRET_COMMANDS = new Set(['secrets reencrypt']);
const commandName = () => positionals.slice(0, 2).join(' ');

type Output = { result: Record<string, unknown>; lastLine: string };
type Command = (ctx: Ctx, domain: Domain) => Promise<Output>;
/** A command that talks to a running deployment over its REST API: no database, no secret key. */
type RemoteCommand = { remote: () => Promise<Output> };
type Domain = typeof import('../server/domain/tenants/customers') &
  typeof import('../server/domain/tenants/api-keys') &
  typeof import('../server/domain/tenants/dashboard-users') & { platformScope: typeof import('../server/domain/context').platformScope };

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        customer: { type: 'string' },
        'external-id': { type: 'string' },
        tier: { type: 'string' },
        scopes: { type: 'string' },
        url: { type: 'string' },
        key: { type: 'string' },
        type: { type: 'string' },
        data: { type: 'string' },
        broadcast: { type: 'boolean' },
        'idempotency-key': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    usageFailure(err instanceof Error ? err.message : String(err));
  }
})();

function usageFailure(message: string): never {
  console.error(`error: ${message}\n${USAGE}`);
  process.exit(2);
}

/** Validates with the API's own schemas, so the CLI and the API accept exactly the same input. */
function check<T>(schema: z.ZodType<T>, value: unknown, option?: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length ? `--${String(issue.path.at(-1)).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : option;
  throw new UsageError(`${field ? `${field}: ` : ''}${issue.message}`);
}

/** Turns the command line into a command, before any connection is opened. */
async function plan(): Promise<Command | RemoteCommand> {
  const s = {
    ...(await import('../server/domain/inputs')),
    ...(await import('../server/domain/tenants/inputs')),
    ...(await import('../server/domain/events/inputs')),
  };
  const { z } = await import('zod');
  const [cmd, sub, arg, ...extra] = positionals;
  const key = `${cmd ?? ''} ${sub ?? ''}`.trim();
  const noMore = (n: number) => {
    if (positionals.length > n) throw new UsageError(`unexpected argument: ${positionals.slice(n).join(' ')}`);
  };
  const required = (name: 'name' | 'email' | 'password' | 'customer' | 'url' | 'key' | 'type' | 'data') => {
    const v = values[name];
    if (v === undefined) throw new UsageError(`--${name} is required`);
    return v;
  };
  switch (cmd === 'platform-key' || cmd === 'workers' || cmd === 'publish' ? cmd : key) {
    case 'platform-key': {
      noMore(1);
      const name = check(z.string().min(1).max(200), values.name ?? 'cli', '--name');
      return async (ctx, d) => {
        const k = await d.createApiKey(ctx, null, name);
        return { result: { id: k.id, kind: 'platform', prefix: k.prefix, name: k.name, key: k.key }, lastLine: k.key };
      };
    }
    case 'customer create': {
      noMore(2);
      const input = check(s.createCustomerInput, { name: required('name'), externalId: values['external-id'], tier: values.tier });
      return async (ctx, d) => {
        const c = await d.createCustomer(ctx, d.platformScope, input);
        return { result: c, lastLine: c.id };
      };
    }
    case 'customer key': {
      noMore(2);
      const input = check(s.createApiKeyInput.extend({ customer: s.idOf('customer') }).omit({ id: true }), {
        customer: required('customer'),
        name: values.name,
        // Comma-separated; without it the key gets the API's default (publish, read).
        scopes: values.scopes?.split(','),
      });
      return async (ctx, d) => {
        const k = await d.createCustomerApiKey(ctx, d.platformScope, input.customer, input.name, input.scopes);
        return {
          result: { id: k.id, kind: 'customer', customerId: k.customerId, prefix: k.prefix, name: k.name, scopes: k.scopes, key: k.key },
          lastLine: k.key,
        };
      };
    }
    case 'user create': {
      noMore(2);
      const customerId = check(s.idOf('customer'), required('customer'), '--customer');
      const input = check(s.createUserInput, { email: required('email'), password: required('password') });
      return async (ctx, d) => {
        const u = await d.createDashboardUser(ctx, d.platformScope, customerId, input);
        return { result: u, lastLine: u.id };
      };
    }
    case 'user password': {
      noMore(2);
      const input = check(s.createUserInput, { email: required('email'), password: required('password') });
      return async (ctx, d) => {
        const { changePassword } = await import('../server/domain/tenants/sessions');
        const u = await changePassword(ctx, d.platformScope, input);
        return { result: { ...u, sessionsEnded: true }, lastLine: u.id };
      };
    }
    case 'key list': {
      noMore(2);
      const input = check(s.listApiKeysInput.extend({ customer: s.idOf('customer').optional() }).omit({ customerId: true }), {
        customer: values.customer,
        limit: 200,
      });
      return async (ctx, d) => {
        const page = await d.listApiKeys(ctx, d.platformScope, { customerId: input.customer, limit: input.limit });
        const lines = page.data.map(
          (k) =>
            `${k.id}  ${k.prefix}…  ${k.kind}${k.customerId ? ` ${k.customerId}` : ''}  last used ${k.lastUsedAt ?? 'never'}${k.revokedAt ? `  revoked ${k.revokedAt}` : ''}`,
        );
        return { result: { keys: page.data }, lastLine: lines.join('\n') || '(no keys)' };
      };
    }
    case 'key revoke': {
      if (!arg) throw new UsageError('usage: pnpm cli key revoke <keyId>');
      if (extra.length) throw new UsageError(`unexpected argument: ${extra.join(' ')}`);
      const id = check(s.idOf('apiKey'), arg, 'keyId');
      return async (ctx, d) => {
        const r = await d.revokeApiKey(ctx, d.platformScope, id);
        return { result: { id: r.id, revoked: true, revokedAt: r.revokedAt }, lastLine: `revoked ${r.id}` };
      };
    }
    case 'secrets reencrypt': {
      noMore(2);
      return async (ctx) => {
        const { reencryptSecrets } = await import('../server/domain/tenants/key-rotation');
        const r = await reencryptSecrets(ctx);
        const counts = { scanned: r.scanned, reencrypted: r.reencrypted, alreadyCurrent: r.current };
        if (r.failed.length > 0) {
          // Exit 1 with the subscriptions to look at: an old key is missing from HOOKRELAY_SECRET_KEY_PREVIOUS.
          throw new Error(
            `${r.failed.length} secret(s) could not be decrypted with the configured keys (${JSON.stringify(counts)}):\n` +
              r.failed.map((f) => `  ${f.subscriptionId}: ${f.error}`).join('\n'),
          );
        }
        return { result: counts, lastLine: 'All subscription secrets are under the current key: HOOKRELAY_SECRET_KEY_PREVIOUS can be removed.' };
      };
    }
    case 'workers': {
      noMore(1);
      return async (ctx) => {
        const { liveWorkers } = await import('../server/domain/upkeep/heartbeats');
        const workers = await liveWorkers(ctx);
        const lines = workers.map(
          (w) => `${w.id}  ${w.host}:${w.pid}  in flight ${w.inFlight}  seen ${w.ageSeconds}s ago${w.stopping ? '  (stopping)' : ''}  since ${w.startedAt}`,
        );
        return { result: { workers }, lastLine: [...lines, `${workers.length} worker(s) seen in the last 30 s`].join('\n') };
      };
    }
    case 'publish': {
      noMore(1);
      const baseUrl = check(z.string().url(), required('url'), '--url');
      const apiKey = required('key');
      let data: unknown;
      try {
        data = JSON.parse(required('data'));
      } catch {
        throw new UsageError('--data: not valid JSON');
      }
      const input = check(s.publishEventInput, {
        type: required('type'),
        data,
        customerId: values.customer,
        broadcast: values.broadcast,
        idempotencyKey: values['idempotency-key'],
      });
      return {
        remote: async () => {
          const { createHookrelayClient } = await import('../server/api/client');
          const api = createHookrelayClient({ baseUrl, apiKey });
          const { data: sent, error, response } = await api.POST('/api/v1/events', { body: input });
          if (error) throw new Error(`${response.status} ${error.error.code}: ${error.error.message ?? `request ${error.error.requestId}`}`);
          return { result: sent, lastLine: sent.id };
        },
      };
    }
    default:
      throw new UsageError(cmd ? `unknown command: ${positionals.join(' ')}` : 'no command given');
  }
}

const DEV_PORT = 54329;
const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' }, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

async function database(): Promise<ScriptDatabase> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, embedded: false, stop: async () => {} };
  if (await portOpen(DEV_PORT)) return { url: `postgres://postgres:postgres@127.0.0.1:${DEV_PORT}/hookrelay`, embedded: true, stop: async () => {} };
  return resolveDatabase({ dir: '.data/pg', port: DEV_PORT, database: 'hookrelay' });
}

function print({ result, lastLine }: Output) {
  if (values.json) {
    console.log(JSON.stringify(result));
    return;
  }
  for (const [k, v] of Object.entries(result))
    if (k !== 'key' && k !== 'keys' && k !== 'workers') console.log(`${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
  console.log(lastLine);
}

let planned: Command | RemoteCommand;
try {
  planned = await plan();
} catch (err) {
  if (err instanceof UsageError) usageFailure(err.message);
  throw err;
}

if ('remote' in planned) {
  try {
    print(await planned.remote());
    process.exit(0);
  } catch (err) {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
const command: Command = planned;

// Against the dev database, the dev key (from .data/dev-secrets.json) is the right one. Against a
// DATABASE_URL the key must be the deployment's own: a command that reads or writes subscription
// secrets with any other key would fail to decrypt them or, worse, re-encrypt them under a key that
// no web or worker process has. Other commands never touch a secret and run with a throwaway key.
if (!process.env.HOOKRELAY_SECRET_KEY) {
  if (!process.env.DATABASE_URL) process.env.HOOKRELAY_SECRET_KEY = loadDevSecrets().HOOKRELAY_SECRET_KEY;
  else if (SECRET_COMMANDS.has(commandName())) {
    console.error(
      `error: HOOKRELAY_SECRET_KEY is not set: "${commandName()}" would use a key other than the deployment's. Set HOOKRELAY_SECRET_KEY (and HOOKRELAY_SECRET_KEY_PREVIOUS during a rotation) as the web and worker processes have them.`,
    );
    process.exit(1);
  } else process.env.HOOKRELAY_SECRET_KEY = randomBytes(32).toString('base64url');
}

const db = await database();
process.env.DATABASE_URL = db.url;
const { migrateDatabase } = await import('../server/migrate');
const { createRuntime } = await import('../server/runtime');
const { platformScope } = await import('../server/domain/context');
const { DomainError } = await import('../server/domain/errors');
const domain: Domain = {
  ...(await import('../server/domain/tenants/customers')),
  ...(await import('../server/domain/tenants/api-keys')),
  ...(await import('../server/domain/tenants/dashboard-users')),
  platformScope,
};

let failed: string | null = null;
let runtime: Awaited<ReturnType<typeof createRuntime>> | undefined;
try {
  if (db.embedded) await migrateDatabase(db.url);
  runtime = await createRuntime('web', { dbMax: 2 });
  print(await command(runtime.ctx, domain));
} catch (err) {
  if (err instanceof DomainError) failed = `${err.message}${err.field && !err.message.includes(err.field) ? ` (${err.field})` : ''}`;
  else failed = err instanceof Error ? err.message : String(err);
} finally {
  await runtime?.stop();
  await db.stop();
}
if (failed) {
  console.error(`error: ${failed}`);
  process.exit(1);
}
