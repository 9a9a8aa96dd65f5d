import { describe, expect, it } from 'vitest';
import { redactedHeaders, redactSent, REDACTED, reservedReason, validateCustomHeaders } from './custom-headers';

describe('validateCustomHeaders', () => {
  it('accepts ordinary headers', () => {
    expect(
      validateCustomHeaders({ Authorization: 'Bearer abc.def', 'X-Api-Key': 'k3y', 'x-tenant': 'acme\tlabs' }),
    ).toEqual([]);
    expect(validateCustomHeaders({})).toEqual([]);
  });

  it.each([
    'webhook-id',
    'Webhook-Signature',
    'WEBHOOK-anything',
    'content-type',
    'Content-Length',
    'HOST',
    'user-agent',
    'Connection',
    'transfer-encoding',
    'keep-alive',
    'upgrade',
  ])('refuses the reserved name %s, whatever its case', (name) => {
    expect(validateCustomHeaders({ [name]: 'x' })).toEqual([{ name, reason: expect.stringContaining('reserved') }]);
    expect(reservedReason(name)).not.toBeNull();
  });

  it('refuses names that are not tokens', () => {
    for (const name of ['X Api', 'x-api:', '', 'x\r\nevil', 'ключ', '(x)']) {
      expect(validateCustomHeaders({ [name]: 'v' }), name).toEqual([
        { name, reason: expect.stringContaining('is not a valid header name') },
      ]);
    }
  });

  it('refuses CR, LF and NUL in values, and other control characters', () => {
    expect(validateCustomHeaders({ 'X-A': 'a\r\nX-Injected: 1' })).toEqual([
      { name: 'X-A', reason: 'the value of "X-A" must not contain CR, LF or NUL' },
    ]);
    expect(validateCustomHeaders({ 'X-A': 'a\nb' })[0]!.reason).toContain('CR, LF or NUL');
    expect(validateCustomHeaders({ 'X-A': 'a\0b' })[0]!.reason).toContain('CR, LF or NUL');
    expect(validateCustomHeaders({ 'X-A': 'a\x07b' })[0]!.reason).toContain('visible characters');
    expect(validateCustomHeaders({ 'X-A': 'emoji 🎉' })[0]!.reason).toContain('visible characters');
    expect(validateCustomHeaders({ 'X-A': 'café' })).toEqual([]);
  });

  it('refuses two names that differ only in case', () => {
    expect(validateCustomHeaders({ 'X-Key': 'a', 'x-key': 'b' })).toEqual([
      { name: 'x-key', reason: '"x-key" repeats "X-Key" (header names are case-insensitive)' },
    ]);
  });

  it('allows 20 headers and 4 KiB in all, no more', () => {
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`X-H${i}`, 'v']));
    expect(validateCustomHeaders(twenty)).toEqual([]);
    expect(validateCustomHeaders({ ...twenty, 'X-H20': 'v' })).toEqual([
      { name: null, reason: 'has 21 headers, above the limit of 20' },
    ]);
    expect(validateCustomHeaders({ 'X-Big': 'v'.repeat(4091) })).toEqual([]);
    expect(validateCustomHeaders({ 'X-Big': 'v'.repeat(4092) })).toEqual([
      { name: null, reason: 'headers total 4097 bytes, above the limit of 4096' },
    ]);
  });
});

describe('redaction', () => {
  it('reads show names only', () => {
    expect(redactedHeaders(['Authorization', 'X-Key'])).toEqual({ Authorization: REDACTED, 'X-Key': REDACTED });
  });

  it('a recorded request keeps its own headers and redacts the custom ones', () => {
    const sent = { Authorization: 'Bearer s3cret', 'content-type': 'application/json', 'webhook-id': 'evt_1' };
    expect(redactSent(sent, { Authorization: 'Bearer s3cret' })).toEqual({
      Authorization: REDACTED,
      'content-type': 'application/json',
      'webhook-id': 'evt_1',
    });
    expect(redactSent(sent, {})).toBe(sent);
  });
});
