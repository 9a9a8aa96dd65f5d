import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema';

/**
 * A typed REST client for Hookrelay, generated from our own OpenAPI document (schema.ts, by
 * `pnpm openapi:snapshot`): paths, parameters, bodies and answers are checked by the compiler.
 *
 *   const api = createHookrelayClient({ baseUrl: 'https://hooks.example.com', apiKey });
 *   const { data, error } = await api.POST('/api/v1/events', { body: { type: 'charge.succeeded', data: {}, customerId } });
 *
 * `fetch` may be replaced (tests call the REST handler in-process).
 */
export type HookrelayClient = Client<paths>;
export type Schemas = components['schemas'];
export type ApiError = Schemas['Error'];

export function createHookrelayClient(opts: {
  baseUrl: string;
  apiKey: string;
  fetch?: (req: Request) => Promise<Response>;
}): HookrelayClient {
  return createClient<paths>({
    baseUrl: opts.baseUrl.replace(/\/+$/, ''),
    headers: { authorization: `Bearer ${opts.apiKey}` },
    ...(opts.fetch && { fetch: opts.fetch }),
  });
}
