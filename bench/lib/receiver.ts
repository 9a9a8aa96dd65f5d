/**
 * A webhook receiver in its own process (so its CPU is not the sender's), for benchmarks.
 * Started by lib/harness.ts with IPC. Paths: `/ok` answers 200 at once; `/sw/<key>` answers after the
 * delay set for <key> by a {type:'delay', key, ms} message (default 0). Every arrival is reported
 * to the parent in batches: [webhookId, arrivalMs, path].
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const delays = new Map<string, number>();
let batch: Array<[string, number, string]> = [];
let inFlight = 0;
let maxInFlight = 0;

process.on('message', (m: { type: string; key?: string; ms?: number }) => {
  if (m.type === 'delay' && m.key !== undefined) delays.set(m.key, m.ms ?? 0);
  if (m.type === 'stats') process.send?.({ type: 'stats', inFlight, maxInFlight });
  if (m.type === 'resetMax') maxInFlight = inFlight;
});

const server = createServer((req, res) => {
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  req.resume();
  req.on('end', () => {
    const path = req.url ?? '/';
    batch.push([String(req.headers['webhook-id'] ?? ''), Date.now(), path]);
    const key = path.startsWith('/sw/') ? path.slice(4) : null;
    const delay = key ? (delays.get(key) ?? 0) : 0;
    const reply = () => {
      inFlight--;
      if (!res.destroyed) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      }
    };
    if (delay > 0) setTimeout(reply, delay);
    else reply();
  });
  req.on('close', () => {
    if (!res.writableEnded) inFlight = Math.max(0, inFlight - 0);
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
setInterval(() => {
  if (batch.length) {
    process.send?.({ type: 'arrivals', items: batch });
    batch = [];
  }
}, 100);
server.listen(0, '127.0.0.1', () =>
  process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port }),
);
