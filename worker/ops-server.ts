import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { READY_WITHIN_MS } from '../server/domain/upkeep/heartbeats';
import { isLoopbackHost } from '../server/env';
import type { Logger } from '../server/log';
import { CONTENT_TYPE, metrics, renderMetrics } from '../server/metrics';
import type { RunningWorker } from './worker';

/**
 * A worker's own /health and /metrics (WORKER_METRICS_PORT), on plain node:http: a worker has no
 * Next.js. /metrics is this process's counters (attempts by outcome, latency histogram, jobs in
 * hand); database-wide gauges are the web's /api/metrics. /health is 200 while the worker's
 * heartbeat reaches the database (a wedged or cut-off worker turns 503 after READY_WITHIN_MS).
 *
 * It listens on 127.0.0.1 unless WORKER_METRICS_HOST says otherwise. Bound anywhere else it is
 * reachable by others, so METRICS_TOKEN is required (server/env.ts refuses to start without it):
 * /metrics then needs `Authorization: Bearer <METRICS_TOKEN>`, and /health without it answers only
 * `{ok}` (enough for a probe; the worker's id, pid and jobs in hand are for whoever holds the token).
 */
export type OpsServerOptions = { port: number; host: string; token?: string | undefined };

function bearerMatches(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startOpsServer(
  worker: RunningWorker,
  opts: OpsServerOptions,
  log: Logger,
): Promise<{ port: number; close(): Promise<void> }> {
  const guarded = !isLoopbackHost(opts.host);
  if (guarded && !opts.token)
    throw new Error(`WORKER_METRICS_HOST=${opts.host} is reachable from other machines: set METRICS_TOKEN as well`);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const trusted = !guarded || bearerMatches(req, opts.token!);
    if (path === '/metrics') {
      if (!trusted) {
        res
          .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' })
          .end('unauthorized: send Authorization: Bearer <METRICS_TOKEN>\n');
        return;
      }
      metrics.workerInFlight.reset();
      for (const [queue, n] of Object.entries(worker.inFlight())) metrics.workerInFlight.set({ queue }, n);
      res.writeHead(200, { 'content-type': CONTENT_TYPE }).end(renderMetrics());
      return;
    }
    if (path === '/health') {
      const last = worker.lastHeartbeatAt();
      const age = last ? Date.now() - last.getTime() : null;
      const ok = age !== null && age < READY_WITHIN_MS;
      if (!trusted) {
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok }));
        return;
      }
      const body = {
        ok,
        workerId: worker.identity.id,
        pid: process.pid,
        stopping: worker.stopping(),
        inFlight: worker.inFlight(),
        lastHeartbeatSecondsAgo: age === null ? null : Math.round(age / 100) / 10,
        ...(!ok && { detail: last ? 'heartbeat has not reached the database recently' : 'no heartbeat recorded yet' }),
      };
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /health or /metrics\n');
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  log.info({ host: opts.host, port: actual, tokenRequired: guarded }, 'worker health and metrics listening');
  return {
    port: actual,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
