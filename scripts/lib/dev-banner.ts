import { DEMO_EMAIL, DEMO_PASSWORD } from './seed';

/**
 * What `pnpm dev` listens on and says about it. The demo login's password is published and dev
 * allows webhooks to private addresses, so the web app listens on 127.0.0.1 only unless HOST asks
 * for more, and the banner says both.
 */
/** `HOST`, else 127.0.0.1. */
export function devHost(hostSetting: string | undefined): string {
  return hostSetting?.trim() || '127.0.0.1';
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export function devBanner(o: { host: string; port: number; customerId: string; platformKey: string | undefined; allowPrivateTargets: boolean }): string {
  // The address it listens on (not `localhost`, which may resolve to ::1 first); 0.0.0.0 is reached as localhost.
  const shown = o.host === '0.0.0.0' || o.host === '::' ? 'localhost' : o.host.includes(':') ? `[${o.host}]` : o.host;
  const base = `http://${shown}:${o.port}`;
  return `
  Hookrelay is starting.
    Dashboard:     ${base}
    Demo login:    ${DEMO_EMAIL} / ${DEMO_PASSWORD}   (customer ${o.customerId})
    API docs:      ${base}/api/docs
    Platform key:  ${o.platformKey}
    Try:           curl -X POST ${base}/api/v1/events -H "authorization: Bearer ${o.platformKey}" \\
                     -H 'content-type: application/json' -d '{"type":"charge.succeeded","customerId":"${o.customerId}","data":{"amount":42}}'

    Listening on:  ${isLoopback(o.host) ? `${o.host} only (HOST=0.0.0.0 pnpm dev to open it to your network)` : `${o.host}: reachable from your network, with the published demo password above`}
    Private targets: ${o.allowPrivateTargets ? 'ALLOWED: webhooks may go to localhost and private networks (ALLOW_PRIVATE_TARGETS=false pnpm dev refuses them, as production does)' : 'refused (ALLOW_PRIVATE_TARGETS=false)'}
`;
}
