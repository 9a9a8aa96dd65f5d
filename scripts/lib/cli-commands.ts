/** The commands of `pnpm cli`: each command line turned into what it does, before any connection is opened. */
import type { Ctx } from '../../server/domain/context';
import { check, UsageError, type CommandLine } from './cli-args';

export type Output = { result: Record<string, unknown>; lastLine: string };
export type Command = (ctx: Ctx, domain: Domain) => Promise<Output>;
/** A command that talks to a running deployment over its REST API: no database, no secret key. */
export type RemoteCommand = { remote: () => Promise<Output> };
export type Domain = typeof import('../../server/domain/tenants/customers') &
  typeof import('../../server/domain/tenants/api-keys') &
  typeof import('../../server/domain/tenants/dashboard-users') & {
    platformScope: typeof import('../../server/domain/context').platformScope;
  };

/** Turns the command line into a command, before any connection is opened. */
export async function plan({ values, positionals }: CommandLine): Promise<Command | RemoteCommand> {
  const s = {
    ...(await import('../../server/domain/inputs')),
    ...(await import('../../server/domain/tenants/inputs')),
    ...(await import('../../server/domain/events/inputs')),
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
      const input = check(s.createCustomerInput, {
        name: required('name'),
        externalId: values['external-id'],
        tier: values.tier,
      });
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
          result: {
            id: k.id,
            kind: 'customer',
            customerId: k.customerId,
            prefix: k.prefix,
            name: k.name,
            scopes: k.scopes,
            key: k.key,
          },
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
        const { changePassword } = await import('../../server/domain/tenants/sessions');
        const u = await changePassword(ctx, d.platformScope, input);
        return { result: { ...u, sessionsEnded: true }, lastLine: u.id };
      };
    }
    case 'key list': {
      noMore(2);
      const input = check(
        s.listApiKeysInput.extend({ customer: s.idOf('customer').optional() }).omit({ customerId: true }),
        {
          customer: values.customer,
          limit: 200,
        },
      );
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
        const { reencryptSecrets } = await import('../../server/domain/tenants/key-rotation');
        const r = await reencryptSecrets(ctx);
        const counts = { scanned: r.scanned, reencrypted: r.reencrypted, alreadyCurrent: r.current };
        if (r.failed.length > 0) {
          // Exit 1 with the subscriptions to look at: an old key is missing from HOOKRELAY_SECRET_KEY_PREVIOUS.
          throw new Error(
            `${r.failed.length} secret(s) could not be decrypted with the configured keys (${JSON.stringify(counts)}):\n` +
              r.failed.map((f) => `  ${f.subscriptionId}: ${f.error}`).join('\n'),
          );
        }
        return {
          result: counts,
          lastLine: 'All subscription secrets are under the current key: HOOKRELAY_SECRET_KEY_PREVIOUS can be removed.',
        };
      };
    }
    case 'workers': {
      noMore(1);
      return async (ctx) => {
        const { liveWorkers } = await import('../../server/domain/upkeep/heartbeats');
        const workers = await liveWorkers(ctx);
        const lines = workers.map(
          (w) =>
            `${w.id}  ${w.host}:${w.pid}  in flight ${w.inFlight}  seen ${w.ageSeconds}s ago${w.stopping ? '  (stopping)' : ''}  since ${w.startedAt}`,
        );
        return {
          result: { workers },
          lastLine: [...lines, `${workers.length} worker(s) seen in the last 30 s`].join('\n'),
        };
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
          const { createHookrelayClient } = await import('../../server/api/client');
          const api = createHookrelayClient({ baseUrl, apiKey });
          const { data: sent, error, response } = await api.POST('/api/v1/events', { body: input });
          if (error)
            throw new Error(
              `${response.status} ${error.error.code}: ${error.error.message ?? `request ${error.error.requestId}`}`,
            );
          return { result: sent, lastLine: sent.id };
        },
      };
    }
    default:
      throw new UsageError(cmd ? `unknown command: ${positionals.join(' ')}` : 'no command given');
  }
}
