import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** `path`: the request's path and query, e.g. which subscription's URL it was sent to. */
export type Received = { headers: Record<string, string>; body: string; at: number; path?: string };
export type Reply = { status: number; headers?: Record<string, string>; body?: string | Uint8Array; delayMs?: number };

/**
 * A real HTTP receiver on 127.0.0.1 for tests and benchmarks. `reply` decides each response from
 * the request and how many requests came before it.
 */
export async function startReceiver(
  reply: (req: Received, index: number) => Reply | Promise<Reply> = () => ({ status: 200 }),
) {
  const received: Received[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const r: Received = {
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
        path: req.url ?? '',
      };
      const index = received.length;
      received.push(r);
      for (const w of [...waiters])
        if (received.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      void Promise.resolve(reply(r, index)).then(async (out) => {
        if (out.delayMs) await new Promise((x) => setTimeout(x, out.delayMs));
        if (res.destroyed) return;
        res.writeHead(out.status, { 'content-type': 'text/plain', ...out.headers });
        res.end(out.body ?? 'ok');
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** Resolves once `n` requests have arrived, or rejects after `timeoutMs`. */
    waitFor(n: number, timeoutMs = 30_000) {
      if (received.length >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`receiver got ${received.length} of ${n} requests within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
      });
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
