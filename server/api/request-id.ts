import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

/**
 * Every API request has an id. An unexpected failure answers only `{code: "internal", requestId}`;
 * the log line with the details carries the same id, so an operator can find it.
 */
const current = new AsyncLocalStorage<string>();

export const newRequestId = () => `req_${randomBytes(12).toString('base64url')}`;

export function withRequestId<T>(id: string, fn: () => T): T {
  return current.run(id, fn);
}

/** The id of the request being served (null outside one). */
export const currentRequestId = (): string | null => current.getStore() ?? null;
