import { createServer, type IncomingHttpHeaders } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/**
 * A real HTTP CONNECT proxy on 127.0.0.1 that records what it carried: every CONNECT's target
 * (`host:port` exactly as asked) and headers, and whether it opened the tunnel. `decide` may refuse
 * a CONNECT with a status of its own (403, 502, …); otherwise the proxy connects to the target and
 * relays bytes both ways. Plain (non-CONNECT) requests are answered 405 and counted.
 */
type Tunnel = { target: string; headers: IncomingHttpHeaders; opened: boolean; status: number };

export async function startConnectProxy(
  decide: (target: string, headers: IncomingHttpHeaders) => number | null = () => null,
) {
  const tunnels: Tunnel[] = [];
  let plainRequests = 0;
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    plainRequests++;
    res.writeHead(405).end('CONNECT only');
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    const entry: Tunnel = { target, headers: req.headers, opened: false, status: 0 };
    tunnels.push(entry);
    const refused = decide(target, req.headers);
    if (refused !== null) {
      entry.status = refused;
      client.end(`HTTP/1.1 ${refused} Refused by test proxy\r\n\r\n`);
      return;
    }
    const m = /^\[?([^\]]+)\]?:(\d+)$/.exec(target);
    if (!m) {
      entry.status = 400;
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const upstream = connect({ host: m[1], port: Number(m[2]) });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.once('connect', () => {
      entry.opened = true;
      entry.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (!entry.opened) {
        entry.status = 502;
        client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      } else client.destroy();
    });
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    tunnels,
    plainRequests: () => plainRequests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
