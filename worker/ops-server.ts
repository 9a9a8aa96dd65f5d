import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { READY_WITHIN_MS } from '../server/domain/upkeep/workers';
import type { Logger } from '../server/log';
import { CONTENT_TYPE, metrics, renderMetrics } from '../server/metrics';
import type { RunningWorker } from './worker';

/**
 * A worker's own /health and /metrics (WORKER_METRICS_PORT), on plain node:http: a worker has no
 * Next.js. /metrics is this process's counters (attempts by outcome, latency histogram, jobs in
 * hand); database-wide gauges are the web's /api/metrics. /health is 200 while the worker's
 * heartbeat reaches the database (a wedged or cut-off worker turns 503 after READY_WITHIN_MS).
 */
export async function startOpsServer(worker: RunningWorker, port: number, log: Logger): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      metrics.workerInFlight.reset();
      for (const [queue, n] of Object.entries(worker.inFlight())) metrics.workerInFlight.set({ queue }, n);
      res.writeHead(200, { 'content-type': CONTENT_TYPE }).end(renderMetrics());
      return;
    }
    if (path === '/health') {
      const last = worker.lastHeartbeatAt();
      const age = last ? Date.now() - last.getTime() : null;
      const ok = age !== null && age < READY_WITHIN_MS;
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
    server.listen(port, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  log.info({ port: actual }, 'worker health and metrics listening');
  return {
    port: actual,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
