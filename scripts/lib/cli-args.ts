/** The command line of `pnpm cli`: its usage, its parsing, and input checks with the API's own schemas. */
import { parseArgs } from 'node:util';
import type { z } from 'zod';

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

export class UsageError extends Error {}

/** The options and positionals; a command line that cannot be parsed exits 2 with the usage. */
export function parseCommandLine() {
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
}

export type CommandLine = ReturnType<typeof parseCommandLine>;

export function usageFailure(message: string): never {
  console.error(`error: ${message}\n${USAGE}`);
  process.exit(2);
}

/** Validates with the API's own schemas, so the CLI and the API accept exactly the same input. */
export function check<T>(schema: z.ZodType<T>, value: unknown, option?: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length
    ? `--${String(issue.path.at(-1)).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
    : option;
  throw new UsageError(`${field ? `${field}: ` : ''}${issue.message}`);
}
