import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

/**
 * SSRF guard. Deliveries to loopback, private, link-local, CGNAT, multicast, reserved and cloud
 * metadata addresses (169.254.169.254, Azure's wireserver 168.63.129.16), and to the IPv6 transition
 * prefixes that embed an IPv4 address (6to4, Teredo, NAT64), are refused unless
 * ALLOW_PRIVATE_TARGETS=true. The check runs on the address the socket actually connects to (a
 * guarded `lookup` passed to undici), so DNS rebinding between validation and connection does not
 * get through; literal IPs are checked before connecting.
 *
 * TARGET_PORTS, when set, is the only ports a target may use (`80,443,8000-9000`): checked when a URL
 * is saved and again before each attempt connects (whatever ALLOW_PRIVATE_TARGETS says).
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
  // Azure's wireserver (instance metadata and agent channel), outside the private ranges.
  ['168.63.129.16', 32],
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  // ::/96 covers ::, ::1 and the deprecated IPv4-compatible form (::127.0.0.1 is written ::7f00:1).
  // IPv4-mapped addresses (::ffff:a.b.c.d) are checked by BlockList against the IPv4 rules above.
  ['::', 96],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['64:ff9b::', 96],
  // Local-use NAT64 (RFC 8215), 6to4 and Teredo: each embeds an IPv4 address a gateway may forward to.
  ['64:ff9b:1::', 48],
  ['2002::', 16],
  ['2001::', 32],
  ['100::', 64],
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1]) return blocked.check(mapped[1], 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return true; // not an IP at all: refuse
}

export class BlockedTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockedTargetError';
  }
}

/** Inclusive port ranges a target may use (TARGET_PORTS); null: any port. */
export type PortRanges = ReadonlyArray<readonly [number, number]>;

/** The port a URL connects to (its scheme's default when it names none). */
const portOf = (url: URL): number => (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);

export const portAllowed = (port: number, ports: PortRanges | null | undefined): boolean =>
  !ports || ports.some(([lo, hi]) => port >= lo && port <= hi);

const describePorts = (ports: PortRanges) =>
  ports.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`)).join(', ');

/** Why a URL's port is refused, or null. */
export function portProblem(url: URL, ports: PortRanges | null | undefined): string | null {
  const port = portOf(url);
  return portAllowed(port, ports) ? null : `must use an allowed port (${describePorts(ports!)}), not ${port}`;
}

/** Validates a subscription URL at write time. Returns a reason, or null if acceptable. */
export function checkTargetUrl(raw: string, allowPrivate: boolean, ports?: PortRanges | null): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use http or https';
  if (url.username || url.password) return 'must not contain credentials';
  if (raw.length > 2048) return 'must be at most 2048 characters';
  const port = portProblem(url, ports);
  if (port) return port;
  if (allowPrivate) return null;
  // `localhost.` (a fully qualified name) resolves like `localhost`: compare without trailing dots.
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal'))
    return 'must not target a private or loopback host';
  if (isIP(host) && isPrivateAddress(host)) return 'must not target a private, loopback or link-local address';
  return null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for net/tls.connect that refuses private addresses after resolution. */
export function guardedLookup(hostname: string, options: object, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses;
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad)
      return callback(
        new BlockedTargetError(`${hostname} resolves to ${bad.address}, a private address; delivery refused`),
        [],
      );
    const wantsAll = (options as { all?: boolean }).all;
    if (wantsAll) return callback(null, list);
    const first = list[0];
    if (!first) return callback(new Error(`no address for ${hostname}`), []);
    callback(null, first.address, first.family);
  });
}
