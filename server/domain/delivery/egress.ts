import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { buildConnector, errors as undiciErrors } from 'undici';
import { BlockedTargetError, guardedLookup, isPrivateAddress } from './url-guard';

/**
 * The egress proxy (EGRESS_PROXY_URL): every delivery and every OAuth2 token request leaves through
 * one HTTP CONNECT proxy, so that receivers see its static address. The SSRF rules still hold for
 * the target, and they cannot be dodged at the proxy: Hookrelay resolves the target's name itself,
 * checks every address it resolves to (url-guard.ts: refused before the proxy is contacted), and asks
 * the proxy to CONNECT to the checked IP address, never to the name. A DNS answer the proxy would get
 * later (a rebinding to 127.0.0.1, or to the proxy's own private network) plays no part. Through the
 * tunnel, TLS still names the original host (SNI and certificate check) and the request its Host header.
 *
 * The proxy itself is the operator's: its address is not subject to the SSRF rules (it is usually a
 * private one). Plain `http://` proxies only; credentials in its URL become `Proxy-Authorization: Basic`.
 */
export type EgressProxy = { host: string; port: number; authorization: string | null; label: string };

export function parseEgressProxy(raw: string): EgressProxy {
  const url = new URL(raw);
  if (url.protocol !== 'http:')
    throw new Error(`EGRESS_PROXY_URL must be an http:// URL of an HTTP CONNECT proxy, not ${url.protocol}`);
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 80,
    authorization: user || pass ? `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` : null,
    // For messages: never the credentials.
    label: `${url.hostname}:${url.port || 80}`,
  };
}

/** The proxy refused or failed a tunnel (error class `proxy`). */
export class EgressProxyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EgressProxyError';
  }
}

/** A response head larger than this from the proxy is refused (it should be a status line and a few headers). */
const MAX_PROXY_HEAD = 16 * 1024;
/** Addresses tried for one target, in the order DNS gave them (like Node's own connect, which tries each family). */
const MAX_ADDRESSES = 4;

type Resolved = Array<{ address: string; family: number }>;

/** The addresses of `host`, each checked unless private targets are allowed. Throws BlockedTargetError on a private one. */
function resolveChecked(host: string, allowPrivate: boolean): Promise<Resolved> {
  const family = isIP(host);
  if (family !== 0) {
    if (!allowPrivate && isPrivateAddress(host))
      return Promise.reject(new BlockedTargetError(`${host} is a private address; delivery refused`));
    return Promise.resolve([{ address: host, family }]);
  }
  return new Promise((resolve, reject) => {
    const done = (err: NodeJS.ErrnoException | null, addresses: string | LookupAddress[]) => {
      if (err) return reject(err);
      const list = Array.isArray(addresses) ? addresses : [];
      if (list.length === 0) return reject(Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' }));
      resolve(list);
    };
    if (allowPrivate) dnsLookup(host, { all: true }, done);
    else guardedLookup(host, { all: true }, done);
  });
}

const authority = (address: string, port: number) => `${isIP(address) === 6 ? `[${address}]` : address}:${port}`;

/**
 * Opens a tunnel through the proxy to `address:port`: resolves with the socket (bytes after the
 * proxy's `200` are put back), rejects with an EgressProxyError naming what went wrong.
 */
function openTunnel(proxy: EgressProxy, address: string, port: number, timeoutMs: number): Promise<Socket> {
  const target = authority(address, port);
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: proxy.host, port: proxy.port });
    let head = Buffer.alloc(0);
    let settled = false;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('data', onData);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve(socket);
    };
    const timer = setTimeout(
      () =>
        finish(
          new undiciErrors.ConnectTimeoutError(
            `no tunnel to ${target} through the egress proxy ${proxy.label} within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    socket.setNoDelay(true);
    socket.once('connect', () => {
      const lines = [
        `CONNECT ${target} HTTP/1.1`,
        `Host: ${target}`,
        ...(proxy.authorization ? [`Proxy-Authorization: ${proxy.authorization}`] : []),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    socket.on('error', (err: NodeJS.ErrnoException) =>
      finish(
        new EgressProxyError(
          `the egress proxy ${proxy.label} failed (${err.code ?? err.message}) before tunnelling to ${target}`,
        ),
      ),
    );
    socket.on('close', () =>
      finish(
        new EgressProxyError(`the egress proxy ${proxy.label} closed the connection before tunnelling to ${target}`),
      ),
    );
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > MAX_PROXY_HEAD)
          finish(new EgressProxyError(`the egress proxy ${proxy.label} sent an oversized answer to CONNECT ${target}`));
        return;
      }
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
      if (!m)
        return finish(
          new EgressProxyError(
            `the egress proxy ${proxy.label} answered CONNECT ${target} with something other than HTTP`,
          ),
        );
      if (m[1] !== '200') {
        // The reason phrase is the proxy's text: printable ASCII only, and short.
        const reason = (m[2] ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, 80);
        return finish(
          new EgressProxyError(
            `the egress proxy ${proxy.label} refused CONNECT ${target}: ${m[1]}${reason ? ` ${reason}` : ''}`,
          ),
        );
      }
      const rest = head.subarray(end + 4);
      socket.removeAllListeners('close');
      socket.removeAllListeners('error');
      finish(null);
      if (rest.length) socket.unshift(rest);
    };
    socket.on('data', onData);
  });
}

/**
 * An undici connector that reaches every origin through the proxy: resolve and check the target,
 * CONNECT to each checked address in turn until one tunnel opens, then (https) TLS over the tunnel
 * with the original host name, presenting `tls` (a client certificate) when given.
 */
export function proxyConnector(opts: {
  proxy: EgressProxy;
  allowPrivate: boolean;
  tls?: { cert: string; key: string } | undefined;
  connectTimeoutMs?: number;
}): buildConnector.connector {
  const timeoutMs = opts.connectTimeoutMs ?? 10_000;
  // undici's own TLS connector, over the tunnel (`httpSocket`): SNI, session reuse and the
  // certificate check against the original host name, exactly as without a proxy.
  const tlsOver = buildConnector({
    allowH2: false,
    timeout: timeoutMs,
    ...(opts.tls && { cert: opts.tls.cert, key: opts.tls.key }),
  });
  return (options, callback) => {
    const host = options.hostname.replace(/^\[|\]$/g, '');
    const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
    void (async () => {
      const addresses = (await resolveChecked(host, opts.allowPrivate)).slice(0, MAX_ADDRESSES);
      let last: Error | null = null;
      for (const { address } of addresses) {
        try {
          return await openTunnel(opts.proxy, address, port, timeoutMs);
        } catch (err) {
          last = err as Error;
          if (err instanceof undiciErrors.ConnectTimeoutError) break;
        }
      }
      throw last ?? new EgressProxyError(`no address to tunnel to for ${host}`);
    })().then(
      (tunnel) => {
        if (options.protocol !== 'https:') return callback(null, tunnel);
        tlsOver({ ...options, hostname: host, httpSocket: tunnel }, (...args) => {
          if (args[0]) tunnel.destroy();
          callback(...args);
        });
      },
      (err: Error) => callback(err, null),
    );
  };
}
