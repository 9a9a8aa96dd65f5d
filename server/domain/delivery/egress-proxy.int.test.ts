import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json, Rest } from '../../../tests/support/api';
import { createTenant, ok, startApi, type ApiBed } from '../../../tests/support/api-world';
import { createPki, type Issued, type Pki } from '../../../tests/support/certificates';
import { startConnectProxy } from '../../../tests/support/connect-proxy';
import type { TestCtx } from '../../../tests/support/context';
import { attemptsOf, onlyDelivery, waitForStatus } from '../../../tests/support/engine';
import { startReceiver } from '../../../tests/support/receiver';
import { spawnWorker, stopWorker, type WorkerProcess } from '../../../tests/support/worker-process';

/**
 * EGRESS_PROXY_URL end to end: real worker processes configured by their environment, a real
 * CONNECT proxy on loopback that records every tunnel it was asked for, real receivers (HTTP, HTTPS,
 * HTTPS requiring a client certificate) and a real token endpoint. The proxy must carry every
 * delivery and token request, be asked for the address Hookrelay resolved and checked (never a
 * name), and never hear of a target the SSRF guard refuses.
 */
let pki: Pki;
let client: Issued;
let api: ApiBed;
let ctx: TestCtx;
let rest: Rest;
let customer: { id: string; key: string };
let proxy: Awaited<ReturnType<typeof startConnectProxy>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let tlsReceiver: Server;
let tokenServer: HttpServer;
let worker: WorkerProcess | undefined;
/** What the HTTPS receivers saw: the TLS server name (SNI), the Host header and the client certificate. */
const tlsSeen: Array<{ servername: string | false | null; host: string | undefined; clientCert: string | null }> = [];
const tokenRequests: string[] = [];

const portOf = (s: { address(): AddressInfo | string | null }) => (s.address() as AddressInfo).port;

beforeAll(async () => {
  pki = createPki('egress');
  client = pki.issue('egress-client');
  const server = pki.issue('localhost', { server: true });
  // requestCert without rejectUnauthorized: a client certificate is recorded when one comes.
  tlsReceiver = createHttpsServer(
    { key: server.key, cert: server.cert, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      req.resume();
      req.on('end', () => {
        tlsSeen.push({
          servername: socket.servername,
          host: req.headers.host,
          clientCert: socket.authorized ? (socket.getPeerX509Certificate()?.subject ?? null) : null,
        });
        res.end('ok');
      });
    },
  );
  await new Promise<void>((r) => tlsReceiver.listen(0, '127.0.0.1', r));
  tokenServer = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      tokenRequests.push(req.headers.host ?? '');
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: `egress-token-${tokenRequests.length}`, expires_in: 3600 }));
    });
  });
  await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', r));
  receiver = await startReceiver();
  proxy = await startConnectProxy();

  api = await startApi('egress', {}, 'test platform');
  ({ ctx, rest } = api);
  customer = await createTenant(rest, api.platformKey, 'Egress');
});

afterAll(async () => {
  if (worker) await stopWorker(worker, 10_000);
  await proxy?.close();
  await receiver?.close();
  for (const s of [tlsReceiver, tokenServer]) {
    s?.closeAllConnections();
    await new Promise((r) => (s ? s.close(r) : r(undefined)));
  }
  await api?.stop();
  pki?.remove();
});

async function useWorker(env: Record<string, string>) {
  if (worker) await stopWorker(worker, 10_000);
  worker = spawnWorker(api.url, {
    EGRESS_PROXY_URL: proxy.url,
    NODE_EXTRA_CA_CERTS: pki.ca.certPath,
    RETRY_TIME_SCALE: '0.001',
    ...env,
  });
  await worker.ready;
}

let current = 0;
async function deliverTo(url: string, extra: Json, status: 'succeeded' | 'dead') {
  current++;
  await ok(
    rest('POST', '/subscriptions', { key: customer.key, body: { url, eventTypes: [`egress.s${current}`], ...extra } }),
    201,
  );
  const event = await ok(
    rest('POST', '/events', { key: customer.key, body: { type: `egress.s${current}`, data: {} } }),
    202,
  );
  const delivery = await onlyDelivery(ctx, event.id);
  await waitForStatus(ctx, delivery.id, status, 60_000);
  return attemptsOf(ctx, delivery.id);
}

/** The tunnels opened since `from`, as `target` strings. */
const tunnelsSince = (from: number) => proxy.tunnels.slice(from).map((t) => t.target);

describe('deliveries through the egress proxy (private targets allowed, as in tests)', () => {
  beforeAll(async () => {
    await useWorker({ ALLOW_PRIVATE_TARGETS: 'true' });
  });

  it('an HTTP delivery to a name goes through a tunnel to the address the worker resolved; the request keeps the name', async () => {
    const from = proxy.tunnels.length;
    const port = new URL(receiver.url).port;
    await deliverTo(`http://localhost:${port}/hook`, {}, 'succeeded');
    expect(new Set(tunnelsSince(from))).toEqual(new Set([`127.0.0.1:${port}`]));
    expect(receiver.received.at(-1)!.headers.host).toBe(`localhost:${port}`);
    expect(proxy.plainRequests()).toBe(0);
  });

  it('HTTPS through the tunnel: TLS names the original host (SNI, certificate check), the proxy sees only the address', async () => {
    const from = proxy.tunnels.length;
    const port = portOf(tlsReceiver);
    await deliverTo(`https://localhost:${port}/hook`, {}, 'succeeded');
    expect(new Set(tunnelsSince(from))).toEqual(new Set([`127.0.0.1:${port}`]));
    expect(tlsSeen.at(-1)).toEqual({ servername: 'localhost', host: `localhost:${port}`, clientCert: null });
  });

  it('a client certificate (mTLS) is presented through the tunnel', async () => {
    const port = portOf(tlsReceiver);
    await deliverTo(
      `https://localhost:${port}/mtls`,
      { auth: { type: 'mtls', certificate: client.cert, privateKey: client.key } },
      'succeeded',
    );
    expect(tlsSeen.at(-1)).toMatchObject({
      servername: 'localhost',
      clientCert: 'CN=egress-client\nO=Hookrelay tests',
    });
  });

  it('the OAuth2 token request goes through the proxy too', async () => {
    const from = proxy.tunnels.length;
    const [tokenPort, port] = [portOf(tokenServer), new URL(receiver.url).port];
    // Another origin than the first test's (127.0.0.1, not localhost): a pool, and so a tunnel, of its own.
    await deliverTo(
      `http://127.0.0.1:${port}/oauth`,
      { auth: { type: 'oauth2', tokenUrl: `http://localhost:${tokenPort}/token`, clientId: 'c', clientSecret: 's' } },
      'succeeded',
    );
    expect(tokenRequests).toEqual([`localhost:${tokenPort}`]);
    expect(new Set(tunnelsSince(from))).toEqual(new Set([`127.0.0.1:${tokenPort}`, `127.0.0.1:${port}`]));
    expect(receiver.received.at(-1)!.headers.authorization).toBe('Bearer egress-token-1');
  });

  it('a tunnel the proxy refuses is a failed attempt of class proxy', async () => {
    // Nothing listens on port 9: the proxy cannot open the tunnel and answers 502.
    const attempts = await deliverTo('http://localhost:9/closed', { retryPolicy: { maxAttempts: 1 } }, 'dead');
    expect(attempts).toMatchObject([
      {
        status: 'failed',
        errorClass: 'proxy',
        errorMessage: expect.stringContaining('refused CONNECT 127.0.0.1:9: 502'),
      },
    ]);
  });
});

describe('with private targets refused (production)', () => {
  beforeAll(async () => {
    await useWorker({ ALLOW_PRIVATE_TARGETS: 'false' });
  });

  it('a target whose name resolves to a private address is refused before the proxy is contacted', async () => {
    // The URL was accepted when saved (this test's API allows private targets, as if the name had
    // resolved to a public address then); the worker checks again when it connects.
    const from = proxy.tunnels.length;
    const received = receiver.received.length;
    const attempts = await deliverTo(`http://localhost:${new URL(receiver.url).port}/rebound`, {}, 'dead');
    expect(attempts).toMatchObject([
      {
        status: 'failed',
        errorClass: 'blocked_target',
        errorMessage: 'localhost resolves to 127.0.0.1, a private address; delivery refused',
      },
    ]);
    expect(tunnelsSince(from)).toEqual([]);
    expect(receiver.received).toHaveLength(received);
  });

  it('so is a token URL resolving to a private address: neither the proxy nor the token endpoint hears of it', async () => {
    const from = proxy.tunnels.length;
    const tokens = tokenRequests.length;
    const attempts = await deliverTo(
      `http://localhost:${new URL(receiver.url).port}/oauth-rebound`,
      {
        auth: {
          type: 'oauth2',
          tokenUrl: `http://localhost:${portOf(tokenServer)}/token`,
          clientId: 'c',
          clientSecret: 's',
        },
      },
      'dead',
    );
    expect(attempts).toMatchObject([
      {
        errorClass: 'blocked_target',
        errorMessage: `the OAuth2 token request to http://localhost:${portOf(tokenServer)}/token failed: localhost resolves to 127.0.0.1, a private address; delivery refused`,
      },
    ]);
    expect(tunnelsSince(from)).toEqual([]);
    expect(tokenRequests).toHaveLength(tokens);
  });
});
