import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createSender, storableHeaders, storableText } from './http-sender';

describe('the sender with TARGET_PORTS', () => {
  it('refuses a port outside the list before connecting, and sends to one inside it', async () => {
    let received = 0;
    const server = createServer((_req, res) => {
      received++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/hook`;
    const refusing = createSender({ allowPrivate: true, ports: [[443, 443]] });
    const allowing = createSender({ allowPrivate: true, ports: [[port, port]] });
    try {
      const refused = await refusing.send(url, {}, '{}', 5000);
      expect(refused.outcome).toEqual({
        kind: 'error',
        errorClass: 'blocked_target',
        message: `the target must use an allowed port (443), not ${port}; delivery refused (TARGET_PORTS)`,
      });
      expect(received).toBe(0);
      expect((await allowing.send(url, {}, '{}', 5000)).outcome).toMatchObject({ kind: 'response', status: 200 });
      expect(received).toBe(1);
    } finally {
      await Promise.all([refusing.close(), allowing.close()]);
      server.close();
    }
  });
});

const FFFD = '\uFFFD';
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

/** What PostgreSQL `text` refuses (NUL) and what `jsonb` refuses besides (a lone surrogate, escaped by JSON.stringify). */
function storableInPostgres(s: string): boolean {
  return !/\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

describe('storableText: text from the wire as PostgreSQL can hold it', () => {
  it('keeps ordinary text, including non-ASCII and an escaped NUL written as six characters', () => {
    for (const s of [
      '',
      'ok',
      '{"error":"nope"}',
      'café ✓ 日本 🎉',
      '{"a":"\\u0000"}',
      '\uFEFFbom first',
      'tab\tand\r\nnewlines',
    ]) {
      expect(storableText(s)).toBe(s);
      expect(storableText(Buffer.from(s, 'utf8'))).toBe(s);
    }
  });

  it('replaces NUL with U+FFFD, in strings and in bytes', () => {
    expect(storableText('bad\0body')).toBe(`bad${FFFD}body`);
    expect(storableText(bytes('bad', [0], 'body'))).toBe(`bad${FFFD}body`);
    expect(storableText('\0\0')).toBe(FFFD + FFFD);
  });

  it('decodes invalid UTF-8 with replacement characters', () => {
    expect(storableText(bytes('a', [0xff, 0xfe], 'b'))).toBe(`a${FFFD}${FFFD}b`);
    expect(storableText(bytes([0xc3, 0x28]))).toBe(`${FFFD}(`); // a lead byte without its continuation
    expect(storableText(bytes([0xed, 0xa0, 0x80]))).toBe(FFFD.repeat(3)); // a UTF-16 surrogate encoded as UTF-8
    expect(storableText(bytes([0xc0, 0xaf]))).toBe(FFFD.repeat(2)); // an overlong encoding
  });

  it('replaces lone surrogates, which jsonb refuses', () => {
    expect(storableText('a\uD800b')).toBe(`a${FFFD}b`);
    expect(storableText('\uDC00')).toBe(FFFD);
    expect(storableText('🎉')).toBe('🎉'); // a proper pair is kept
  });

  it('a body cut mid-character drops the half character instead of showing garbage', () => {
    const e = Buffer.from('é', 'utf8'); // 2 bytes
    const cutInside = Buffer.concat([Buffer.from('abc'), e.subarray(0, 1)]);
    expect(storableText(cutInside, { cut: true })).toBe('abc');
    // Not cut: the same bytes are a complete (broken) body, and the broken end shows.
    expect(storableText(cutInside)).toBe(`abc${FFFD}`);
    const emoji = Buffer.from('🎉', 'utf8'); // 4 bytes
    expect(storableText(Buffer.concat([Buffer.from('x'), emoji.subarray(0, 3)]), { cut: true })).toBe('x');
  });

  it('whatever the bytes, the result is storable', () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 500; i++) {
      const buf = Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)));
      expect(storableInPostgres(storableText(buf))).toBe(true);
      expect(storableInPostgres(storableText(buf, { cut: true }))).toBe(true);
      const str = Array.from({ length: Math.floor(rand() * 32) }, () =>
        String.fromCharCode(Math.floor(rand() * 0x10000)),
      ).join('');
      expect(storableInPostgres(storableText(str))).toBe(true);
    }
  });
});

describe('storableHeaders: response headers as received, made storable', () => {
  it('reads header bytes (which the HTTP client hands over as latin1) as UTF-8', () => {
    const latin1 = (s: string | number[]) => bytes(s).toString('latin1');
    expect(storableHeaders({ 'x-utf8': latin1('café'), 'x-raw': latin1([0x61, 0xff, 0xfe, 0x62]) })).toEqual({
      'x-utf8': 'café',
      'x-raw': `a${FFFD}${FFFD}b`,
    });
  });

  it('joins repeated headers, drops absent ones, and never lets NUL through', () => {
    expect(
      storableHeaders({ 'set-cookie': ['a=1', 'b=2'], vary: undefined, 'x-nul': 'a\0b', 'x-\0name': 'v' }),
    ).toEqual({
      'set-cookie': 'a=1, b=2',
      'x-nul': `a${FFFD}b`,
      [`x-${FFFD}name`]: 'v',
    });
  });

  it('keeps a value that is already text beyond latin1 as it is (but storable)', () => {
    expect(storableHeaders({ 'x-wide': 'snow ☃', 'x-lone': 'a\uD800' })).toEqual({
      'x-wide': 'snow ☃',
      'x-lone': `a${FFFD}`,
    });
  });
});
