import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { BlockedTargetError, checkTargetUrl, guardedLookup, isPrivateAddress, portAllowed } from './url-guard';

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['0.0.0.0', '"this network"'],
    ['10.1.2.3', 'RFC 1918'],
    ['172.16.0.1', 'RFC 1918'],
    ['172.31.255.255', 'RFC 1918'],
    ['192.168.1.1', 'RFC 1918'],
    ['169.254.169.254', 'cloud metadata (link-local)'],
    ['169.254.0.1', 'link-local'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.255', 'CGNAT'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['198.18.0.1', 'benchmarking'],
    ['192.0.2.1', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fc00::1', 'IPv6 ULA'],
    ['fd12:3456:789a::1', 'IPv6 ULA'],
    ['fe80::1', 'IPv6 link-local'],
    ['fec0::1', 'IPv6 site-local (deprecated)'],
    ['ff02::1', 'IPv6 multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata, hex form'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::7f00:1', 'IPv4-compatible loopback (deprecated)'],
    ['64:ff9b::7f00:1', 'NAT64'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['168.63.129.16', 'Azure wireserver'],
    ['::ffff:168.63.129.16', 'IPv4-mapped Azure wireserver'],
    ['2002:7f00:1::1', '6to4 (embeds 127.0.0.1)'],
    ['2002:a9fe:a9fe::', '6to4 (embeds 169.254.169.254)'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['2001::1', 'Teredo'],
    ['64:ff9b:1::a00:1', 'local-use NAT64'],
    ['localhost', 'not an IP at all'],
    ['', 'empty'],
  ])('refuses %s (%s)', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4007:80e::200e',
    '::ffff:8.8.8.8',
    '168.63.129.15',
    '168.63.129.17',
    '2001:1::1',
    '2003::1',
    '64:ff9b:2::1',
  ])('allows the public address %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe('checkTargetUrl', () => {
  it.each([
    'https://hooks.example.com/webhook',
    'http://example.com:8080/a?b=c',
    'https://8.8.8.8/hook',
    'https://[2606:4700:4700::1111]/hook',
  ])('accepts %s', (url) => {
    expect(checkTargetUrl(url, false)).toBeNull();
  });

  it.each([
    ['not a url', /absolute http\(s\) URL/],
    ['/relative/path', /absolute http\(s\) URL/],
    ['ftp://example.com/x', /http or https/],
    ['file:///etc/passwd', /http or https/],
    ['javascript:alert(1)', /http or https/],
    ['https://user:pass@example.com/', /credentials/],
    [`https://example.com/${'a'.repeat(2048)}`, /at most 2048/],
  ])('refuses %s whatever the private-targets setting', (url, reason) => {
    expect(checkTargetUrl(url, false)).toMatch(reason);
    expect(checkTargetUrl(url, true)).toMatch(reason);
  });

  it.each([
    ['http://127.0.0.1:8080/', /private, loopback or link-local address/],
    ['http://169.254.169.254/latest/meta-data/', /private, loopback or link-local address/],
    ['http://10.0.0.5/', /private, loopback or link-local address/],
    ['http://100.64.1.1/', /private, loopback or link-local address/],
    ['http://[::1]/', /private, loopback or link-local address/],
    ['http://[fd00::1]/', /private, loopback or link-local address/],
    ['http://[::ffff:127.0.0.1]/', /private, loopback or link-local address/],
    ['http://[::ffff:169.254.169.254]/', /private, loopback or link-local address/],
    ['http://[::127.0.0.1]/', /private, loopback or link-local address/],
    ['http://0x7f000001/', /private, loopback or link-local address/],
    ['http://2130706433/', /private, loopback or link-local address/],
    ['http://0177.0.0.1/', /private, loopback or link-local address/],
    ['http://127.1/', /private, loopback or link-local address/],
    ['http://0.0.0.0:3000/', /private, loopback or link-local address/],
    ['http://localhost:3000/', /private or loopback host/],
    ['http://LOCALHOST/', /private or loopback host/],
    ['http://localhost./', /private or loopback host/],
    ['http://api.localhost/', /private or loopback host/],
    ['http://metadata.google.internal/', /private or loopback host/],
  ])('refuses %s unless private targets are allowed', (url, reason) => {
    expect(checkTargetUrl(url, false)).toMatch(reason);
    expect(checkTargetUrl(url, true)).toBeNull();
  });
});

describe('TARGET_PORTS', () => {
  const ports = [
    [80, 80],
    [443, 443],
    [8000, 9000],
  ] as const;

  it.each([
    'https://hooks.example.com/in',
    'http://hooks.example.com/in',
    'https://hooks.example.com:443/in',
    'http://example.com:8000/',
    'http://example.com:9000/',
  ])('accepts %s (scheme default ports included)', (url) => {
    expect(checkTargetUrl(url, false, ports)).toBeNull();
  });

  it.each([
    ['https://hooks.example.com:9443/in', 9443],
    ['http://example.com:22/', 22],
    ['http://example.com:9001/', 9001],
    ['http://example.com:7999/', 7999],
  ])('refuses %s whatever the private-targets setting', (url, port) => {
    const reason = `must use an allowed port (80, 443, 8000-9000), not ${port}`;
    expect(checkTargetUrl(url, false, ports)).toBe(reason);
    expect(checkTargetUrl(url, true, ports)).toBe(reason);
  });

  it('unset: any port', () => {
    expect(checkTargetUrl('https://example.com:2/', false)).toBeNull();
    expect(checkTargetUrl('https://example.com:2/', false, null)).toBeNull();
    expect(portAllowed(65535, null)).toBe(true);
  });
});

function lookup(
  hostname: string,
  options: object,
): Promise<{ address: string | LookupAddress[]; family?: number | undefined }> {
  return new Promise((resolve, reject) => {
    guardedLookup(hostname, options, (err, address, family) => (err ? reject(err) : resolve({ address, family })));
  });
}

describe('guardedLookup (the connect-time check)', () => {
  it('refuses a name that resolves to loopback', async () => {
    await expect(lookup('localhost', {})).rejects.toBeInstanceOf(BlockedTargetError);
    await expect(lookup('localhost', { all: true })).rejects.toThrow(
      /localhost resolves to .*a private address; delivery refused/,
    );
  });

  it('passes a public address through, in the shape the caller asked for', async () => {
    await expect(lookup('8.8.8.8', {})).resolves.toEqual({ address: '8.8.8.8', family: 4 });
    await expect(lookup('8.8.8.8', { all: true })).resolves.toEqual({
      address: [{ address: '8.8.8.8', family: 4 }],
      family: undefined,
    });
  });

  it('refuses private literals that reach it', async () => {
    await expect(lookup('169.254.169.254', {})).rejects.toBeInstanceOf(BlockedTargetError);
    await expect(lookup('::ffff:127.0.0.1', { all: true })).rejects.toBeInstanceOf(BlockedTargetError);
  });

  it('passes DNS errors through', async () => {
    const err = await lookup('no-such-host.invalid', {}).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(BlockedTargetError);
    expect((err as NodeJS.ErrnoException).code).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});
