import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startConnectProxy } from '../../../tests/support/connect-proxy';
import { startReceiver } from '../../../tests/support/receiver';
import { parseEgressProxy } from './egress';
import { createSender, type Sender } from './http-sender';

/**
 * The egress proxy at the sender: real loopback servers (a CONNECT proxy that records what it was
 * asked for, a receiver), no mocks. Hookrelay resolves and checks the target itself and asks the
 * proxy for the checked address; what the SSRF guard refuses never reaches the proxy.
 */
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let proxy: Awaited<ReturnType<typeof startConnectProxy>>;
const senders: Sender[] = [];
const sender = (opts: Parameters<typeof createSender>[0]) => {
  const s = createSender(opts);
  senders.push(s);
  return s;
};

beforeAll(async () => {
  receiver = await startReceiver();
});

afterEach(async () => {
  await Promise.all(senders.splice(0).map((s) => s.close()));
  await proxy?.close();
  receiver.received.length = 0;
});

afterAll(async () => {
  await receiver?.close();
});

const port = () => Number(new URL(receiver.url).port);

describe('parseEgressProxy', () => {
  it('reads host, port (80 by default) and credentials, and never puts the credentials in its label', () => {
    expect(parseEgressProxy('http://egress.internal:3128')).toEqual({
      host: 'egress.internal',
      port: 3128,
      authorization: null,
      label: 'egress.internal:3128',
    });
    expect(parseEgressProxy('http://[fd00::5]')).toMatchObject({ host: 'fd00::5', port: 80 });
    const withAuth = parseEgressProxy('http://ops%40acme:p%3Ass@10.0.0.5:3128');
    expect(withAuth.authorization).toBe(`Basic ${Buffer.from('ops@acme:p:ss').toString('base64')}`);
    expect(withAuth.label).toBe('10.0.0.5:3128');
    expect(() => parseEgressProxy('https://egress:3128')).toThrow(/must be an http:\/\//);
  });
});

describe('a sender with an egress proxy', () => {
  it('tunnels to the address it resolved itself, and keeps the host name in the request', async () => {
    proxy = await startConnectProxy();
    const s = sender({ allowPrivate: true, egressProxy: proxy.url });
    const url = `http://localhost:${port()}/hook`;
    for (let i = 0; i < 2; i++)
      expect((await s.send(url, { 'x-n': String(i) }, '{}', 5000)).outcome).toMatchObject({
        kind: 'response',
        status: 200,
      });
    // Asked for the checked IP address, never the name (a tunnel is kept alive like any connection,
    // but whether the second request found it idle is up to timing).
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
    for (const t of proxy.tunnels) expect([t.target, t.opened]).toEqual([`127.0.0.1:${port()}`, true]);
    expect(proxy.plainRequests()).toBe(0);
    expect(receiver.received.map((r) => [r.headers.host, r.headers['x-n'], r.path])).toEqual([
      [`localhost:${port()}`, '0', '/hook'],
      [`localhost:${port()}`, '1', '/hook'],
    ]);
  });

  it('sends Proxy-Authorization when the proxy URL has credentials, and never to the target', async () => {
    proxy = await startConnectProxy((_t, h) =>
      h['proxy-authorization'] === `Basic ${Buffer.from('egress:s3cret').toString('base64')}` ? null : 407,
    );
    const s = sender({ allowPrivate: true, egressProxy: `http://egress:s3cret@127.0.0.1:${proxy.port}` });
    expect((await s.send(`http://127.0.0.1:${port()}/a`, {}, '{}', 5000)).outcome).toMatchObject({
      kind: 'response',
      status: 200,
    });
    expect(proxy.tunnels).toHaveLength(1);
    expect(receiver.received[0]!.headers['proxy-authorization']).toBeUndefined();
  });

  it('tunnels to an IPv6 address in brackets', async () => {
    const server = createServer((_req, res) => res.end('six'));
    await new Promise<void>((r) => server.listen(0, '::1', r));
    const six = (server.address() as AddressInfo).port;
    proxy = await startConnectProxy();
    try {
      const s = sender({ allowPrivate: true, egressProxy: proxy.url });
      const res = await s.send(`http://[::1]:${six}/`, {}, '{}', 5000);
      expect(res).toMatchObject({ outcome: { kind: 'response', status: 200 }, responseBody: 'six' });
      expect(proxy.tunnels.map((t) => t.target)).toEqual([`[::1]:${six}`]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('with private targets off, refuses a name resolving to a private address before contacting the proxy', async () => {
    proxy = await startConnectProxy();
    const s = sender({ allowPrivate: false, egressProxy: proxy.url });
    const byName = await s.send(`http://localhost:${port()}/hook`, {}, '{}', 5000);
    expect(byName.outcome).toEqual({
      kind: 'error',
      errorClass: 'blocked_target',
      message: 'localhost resolves to 127.0.0.1, a private address; delivery refused',
    });
    const literal = await s.send(`http://127.0.0.1:${port()}/hook`, {}, '{}', 5000);
    expect(literal.outcome).toMatchObject({ kind: 'error', errorClass: 'blocked_target' });
    expect(proxy.tunnels).toEqual([]);
    expect(receiver.received).toEqual([]);
  });

  it('a name that does not resolve fails as dns, without the proxy', async () => {
    proxy = await startConnectProxy();
    const s = sender({ allowPrivate: true, egressProxy: proxy.url });
    expect((await s.send('http://no-such-host.invalid/hook', {}, '{}', 5000)).outcome).toMatchObject({
      kind: 'error',
      errorClass: 'dns',
    });
    expect(proxy.tunnels).toEqual([]);
  });

  it('a CONNECT the proxy refuses, or cannot open, is a failed attempt of class proxy naming the status', async () => {
    proxy = await startConnectProxy((target) => (target.endsWith(`:${port()}`) ? 403 : null));
    const s = sender({ allowPrivate: true, egressProxy: proxy.url });
    const refused = await s.send(`http://127.0.0.1:${port()}/hook`, {}, '{}', 5000);
    expect(refused.outcome).toEqual({
      kind: 'error',
      errorClass: 'proxy',
      message: `the egress proxy 127.0.0.1:${proxy.port} refused CONNECT 127.0.0.1:${port()}: 403 Refused by test proxy`,
    });
    // Nothing listens on port 9 (discard): the proxy answers 502.
    const unreachable = await s.send('http://127.0.0.1:9/hook', {}, '{}', 5000);
    expect(unreachable.outcome).toMatchObject({
      kind: 'error',
      errorClass: 'proxy',
      message: expect.stringContaining('refused CONNECT 127.0.0.1:9: 502'),
    });
    expect(receiver.received).toEqual([]);
  });

  it('a proxy that is down is a failed attempt of class proxy, not a crash', async () => {
    proxy = await startConnectProxy();
    const downUrl = proxy.url;
    await proxy.close();
    const s = sender({ allowPrivate: true, egressProxy: downUrl });
    const res = await s.send(`http://127.0.0.1:${port()}/hook`, {}, '{}', 5000);
    expect(res.outcome).toMatchObject({
      kind: 'error',
      errorClass: 'proxy',
      message: expect.stringMatching(/^the egress proxy 127\.0\.0\.1:\d+ failed \(ECONNREFUSED\)/),
    });
    expect(receiver.received).toEqual([]);
  });

  it('without a proxy, connects directly (nothing is asked of a proxy)', async () => {
    proxy = await startConnectProxy();
    const s = sender({ allowPrivate: true });
    expect((await s.send(`http://localhost:${port()}/hook`, {}, '{}', 5000)).outcome).toMatchObject({
      kind: 'response',
      status: 200,
    });
    expect(proxy.tunnels).toEqual([]);
  });
});
