import { createRuntime, type Runtime } from './runtime';
import { env } from './env';

/**
 * The web process's runtime: created on first use and kept on globalThis, so Next.js dev reloads
 * do not open a new pool per edit. Route handlers and the auth config call this; pages never do.
 */
const holder = globalThis as unknown as { __hookrelayWeb?: Promise<Runtime> };

export function getWebRuntime(): Promise<Runtime> {
  holder.__hookrelayWeb ??= createRuntime('web').catch((err: unknown) => {
    holder.__hookrelayWeb = undefined;
    throw err;
  });
  return holder.__hookrelayWeb;
}

/** The public base URL: PUBLIC_URL when set, else what the request came in on. */
export function publicBaseUrl(req: Request): string {
  const configured = env().PUBLIC_URL;
  if (configured) return configured;
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  const proto = req.headers.get('x-forwarded-proto') ?? 'http';
  return host ? `${proto}://${host}` : new URL(req.url).origin;
}
