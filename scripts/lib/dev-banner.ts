import { DEMO_EMAIL, DEMO_PASSWORD } from './seed';

/**
 * What `pnpm dev` does and says about it. Without DATABASE_URL it owns its embedded database: it
 * seeds the demo (a login whose password is published, a platform key, a subscription to the
 * development receiver) and lets webhooks go to private addresses. With DATABASE_URL the database may
 * be shared, so it seeds nothing unless `--demo` and refuses private targets unless
 * ALLOW_PRIVATE_TARGETS=true, as production does. It listens on 127.0.0.1 unless HOST asks for more.
 */
/** `HOST`, else 127.0.0.1. */
export function devHost(hostSetting: string | undefined): string {
  return hostSetting?.trim() || '127.0.0.1';
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export type DevPlan = { embedded: boolean; seedDemo: boolean; allowPrivateTargets: boolean };

export function devPlan(o: {
  databaseUrl: string | undefined;
  args: readonly string[];
  allowPrivateTargets: string | undefined;
}): DevPlan {
  const unknown = o.args.filter((a) => a !== '--demo');
  if (unknown.length > 0) throw new Error(`pnpm dev: unknown argument ${unknown.join(' ')} (the only one is --demo)`);
  const embedded = !o.databaseUrl;
  const setting = o.allowPrivateTargets?.trim();
  return {
    embedded,
    seedDemo: embedded || o.args.includes('--demo'),
    allowPrivateTargets: setting ? setting === 'true' || setting === '1' : embedded,
  };
}

/** How the web app is reached from this machine: 0.0.0.0 and :: are reached on loopback. */
export function devBaseUrl(host: string, port: number, loopbackName = '127.0.0.1'): string {
  const shown = host === '0.0.0.0' || host === '::' ? loopbackName : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/** A database URL without its password. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

export type DevDemo = { customerId: string; platformKey: string; subscriptionId: string | null };

export function devBanner(o: {
  host: string;
  port: number;
  plan: DevPlan;
  database: string;
  demo: DevDemo | null;
}): string {
  // The address it listens on (not `localhost`, which may resolve to ::1 first); 0.0.0.0 is reached as localhost.
  const base = devBaseUrl(o.host, o.port, 'localhost');
  const lines = ['', '  Hookrelay is starting.', `    Dashboard:     ${base}`, `    API docs:      ${base}/api/docs`];
  lines.push(
    o.plan.embedded
      ? `    Database:      embedded PostgreSQL, ${o.database} (data in .data/pg)`
      : `    Database:      ${o.database} (DATABASE_URL)`,
  );
  if (o.demo) {
    const d = o.demo;
    lines.push(
      `    Demo login:    ${DEMO_EMAIL} / ${DEMO_PASSWORD}   (customer ${d.customerId})`,
      `    Platform key:  ${d.platformKey}`,
      d.subscriptionId
        ? `    Inbox:         ${base}/dashboard/inbox   (subscription ${d.subscriptionId} delivers every demo event to ${base}/api/dev/receiver; each shown verified or not)`
        : `    Inbox:         ${base}/dashboard/inbox   (empty: private targets are refused, so the demo has no subscription to this machine's receiver; ALLOW_PRIVATE_TARGETS=true adds it)`,
      `    Try:           curl -X POST ${base}/api/v1/events -H "authorization: Bearer ${d.platformKey}" \\`,
      `                     -H 'content-type: application/json' -d '{"type":"charge.succeeded","customerId":"${d.customerId}","data":{"amount":42}}'`,
    );
    if (!o.plan.embedded)
      lines.push(
        '    Seeded:        the demo customer, login, platform key and inbox subscription in DATABASE_URL (--demo)',
      );
  } else {
    lines.push(
      '    Seeded:        nothing (DATABASE_URL: no demo login, no platform key, no subscription; pnpm dev --demo adds them)',
      `    Inbox:         ${base}/dashboard/inbox   (lists what ${base}/api/dev/receiver receives; a subscription to it needs private targets allowed)`,
    );
  }
  lines.push(
    '',
    `    Listening on:  ${isLoopback(o.host) ? `${o.host} only (HOST=0.0.0.0 pnpm dev to open it to your network)` : `${o.host}: reachable from your network${o.demo ? ', with the published demo password above' : ''}`}`,
    `    Private targets: ${
      o.plan.allowPrivateTargets
        ? 'ALLOWED: webhooks may go to localhost and private networks (ALLOW_PRIVATE_TARGETS=false pnpm dev refuses them, as production does)'
        : o.plan.embedded
          ? 'refused (ALLOW_PRIVATE_TARGETS=false)'
          : 'refused, as in production (ALLOW_PRIVATE_TARGETS=true pnpm dev allows them)'
    }`,
    '',
  );
  return lines.join('\n');
}
