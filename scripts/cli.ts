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
import { parseCommandLine, usageFailure, UsageError } from './lib/cli-args';
import { plan, type Command, type Domain, type Output, type RemoteCommand } from './lib/cli-commands';
import { resolveDatabase, type ScriptDatabase } from './lib/database';
import { loadDevSecrets } from './lib/secrets';

const { values, positionals } = parseCommandLine();

/** Commands that decrypt or encrypt subscription secrets: they need the deployment's HOOKRELAY_SECRET_KEY. */
const SECRET_COMMANDS = new Set(['secrets reencrypt']);
const commandName = () => positionals.slice(0, 2).join(' ');

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
  if (await portOpen(DEV_PORT))
    return {
      url: `postgres://postgres:postgres@127.0.0.1:${DEV_PORT}/hookrelay`,
      embedded: true,
      stop: async () => {},
    };
  return resolveDatabase({ dir: '.data/pg', port: DEV_PORT, database: 'hookrelay' });
}

function print({ result, lastLine }: Output) {
  if (values.json) {
    console.log(JSON.stringify(result));
    return;
  }
  for (const [k, v] of Object.entries(result))
    if (k !== 'key' && k !== 'keys' && k !== 'workers')
      console.log(`${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
  console.log(lastLine);
}

let planned: Command | RemoteCommand;
try {
  planned = await plan({ values, positionals });
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
  if (err instanceof DomainError)
    failed = `${err.message}${err.field && !err.message.includes(err.field) ? ` (${err.field})` : ''}`;
  else failed = err instanceof Error ? err.message : String(err);
} finally {
  await runtime?.stop();
  await db.stop();
}
if (failed) {
  console.error(`error: ${failed}`);
  process.exit(1);
}
