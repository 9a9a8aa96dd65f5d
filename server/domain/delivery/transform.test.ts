import { describe, expect, it } from 'vitest';
import type { Ctx } from '../context';
import type { Loaded } from './attempt-loader';
import { applyTransform, attemptRequest, type WebhookRequest } from './transform';

/**
 * What a transform's output may be, checked as an attempt (and the dry run) checks it: the URL guard,
 * the custom-header rules, the payload limit. Only `ctx.config` is read.
 */
function ctxWith(config: Partial<Ctx['config']> = {}): Ctx {
  return {
    config: { allowPrivateTargets: false, targetPorts: null, maxPayloadBytes: 1024, ...config },
  } as unknown as Ctx;
}

const before: WebhookRequest = {
  url: 'https://hooks.example.com/in',
  headers: { Authorization: 'Bearer s3cret' },
  body: JSON.stringify({ id: 'evt_1', type: 'order.created', timestamp: '2026-01-01T00:00:00Z', data: { amount: 42 } }),
};
const apply = (source: string, ctx = ctxWith()) => applyTransform(ctx, source, before, 'order.created');

describe('applyTransform', () => {
  it('without changes, the request is the one before', async () => {
    expect(await apply('function transform() { return {} }')).toMatchObject({ kind: 'send', request: before });
  });

  it('replaces the body (JSON or a string), the headers and the URL', async () => {
    const r = await apply(`function transform(w) {
      return { body: { amount: w.payload.data.amount }, headers: { ...w.headers, 'X-Type': w.eventType }, url: 'https://chat.example.com/hooks/T1' };
    }`);
    expect(r).toMatchObject({
      kind: 'send',
      request: {
        url: 'https://chat.example.com/hooks/T1',
        headers: { Authorization: 'Bearer s3cret', 'X-Type': 'order.created' },
        body: '{"amount":42}',
      },
    });
  });

  it('cancel wins over everything else it returns', async () => {
    expect(await apply('function transform() { return { cancel: true, url: "http://127.0.0.1/" } }')).toMatchObject({
      kind: 'cancelled',
    });
  });

  it.each([
    ['http://127.0.0.1:8080/x', 'must not target a private, loopback or link-local address'],
    ['http://localhost/x', 'must not target a private or loopback host'],
    ['http://169.254.169.254/latest/meta-data/', 'must not target a private, loopback or link-local address'],
    ['http://metadata.google.internal/x', 'must not target a private or loopback host'],
    ['http://[::ffff:10.0.0.1]/x', 'must not target a private, loopback or link-local address'],
  ])('a URL the guard refuses (%s) is blocked_target, while private targets are not allowed', async (url, reason) => {
    const source = `function transform() { return { url: ${JSON.stringify(url)} } }`;
    expect(await apply(source)).toMatchObject({
      kind: 'failed',
      errorClass: 'blocked_target',
      message: `the transform's url ${reason}; delivery refused`,
      url: new URL(url).href,
    });
    expect(await apply(source, ctxWith({ allowPrivateTargets: true }))).toMatchObject({
      kind: 'send',
      request: { url: new URL(url).href },
    });
  });

  it('TARGET_PORTS holds for a transformed URL too', async () => {
    const r = await apply(
      'function transform() { return { url: "https://hooks.example.com:8443/x" } }',
      ctxWith({ targetPorts: [[443, 443]] }),
    );
    expect(r).toMatchObject({
      kind: 'failed',
      errorClass: 'blocked_target',
      message: expect.stringContaining('must use an allowed port (443), not 8443'),
    });
  });

  it.each([
    ['not a URL', "the transform's url must be an absolute http(s) URL"],
    ['file:///etc/passwd', "the transform's url must use http or https"],
    ['https://user:pw@example.com/', "the transform's url must not contain credentials"],
  ])('a URL that is no http(s) target (%s) is a transform error', async (url, message) => {
    expect(await apply(`function transform() { return { url: ${JSON.stringify(url)} } }`)).toMatchObject({
      kind: 'failed',
      errorClass: 'transform',
      message,
    });
  });

  it("headers follow the custom headers' rules; Hookrelay's own names are refused", async () => {
    const fails = async (headers: string) => {
      const r = await apply(`function transform() { return { headers: ${headers} } }`);
      return r.kind === 'failed' ? [r.errorClass, r.message] : r.kind;
    };
    expect(await fails('{ "webhook-signature": "v1,forged" }')).toEqual([
      'transform',
      `the transform's headers: "webhook-signature" is reserved: Hookrelay sets the webhook-* headers (id, timestamp, signature)`,
    ]);
    expect(await fails('{ "Content-Type": "text/plain" }')).toEqual([
      'transform',
      `the transform's headers: "Content-Type" is reserved: Hookrelay sets it itself`,
    ]);
    expect(await fails('{ "X-A": "line\\r\\nInjected: yes" }')).toEqual([
      'transform',
      `the transform's headers: the value of "X-A" must not contain CR, LF or NUL`,
    ]);
    expect(await fails('{ "bad name": "x" }')).toEqual([
      'transform',
      expect.stringContaining('"bad name" is not a valid header name'),
    ]);
  });

  it('the body is held to the payload limit and must be storable text', async () => {
    expect(await apply('function transform() { return { body: "x".repeat(1025) } }')).toMatchObject({
      kind: 'failed',
      errorClass: 'transform',
      message: "the transform's body is 1025 bytes, above the limit of 1024",
    });
    expect(await apply('function transform() { return { body: "a\\u0000b" } }')).toMatchObject({
      message: "the transform's body holds a NUL character or a lone surrogate",
    });
    // As JSON, the same characters are escapes: sendable.
    expect(await apply('function transform() { return { body: { s: "a\\u0000b\\ud800" } } }')).toMatchObject({
      kind: 'send',
      request: { body: '{"s":"a\\u0000b\\ud800"}' },
    });
  });

  it('an answer far above the limit never leaves the sandbox', async () => {
    expect(await apply('function transform() { return { body: "x".repeat(100000) } }')).toMatchObject({
      kind: 'failed',
      message: expect.stringMatching(/^transform returned more than \d+ characters$/),
    });
  });
});

describe('attemptRequest', () => {
  const rowWith = (sub: { transform: string | null; authEnc: string | null }) =>
    ({
      sub: { url: before.url, ...sub },
      event: { body: before.body },
      delivery: { eventType: 'order.created' },
    }) as unknown as Loaded;
  const custom = { Authorization: 'Bearer s3cret' };

  it('without a transform, sends what the subscription says and records nothing extra', async () => {
    expect(await attemptRequest(ctxWith(), rowWith({ transform: null, authEnc: null }), custom)).toEqual({
      ...before,
      redact: custom,
    });
  });

  it('records the URL and the body sent; redacts a custom value copied under another name', async () => {
    const r = await attemptRequest(
      ctxWith(),
      rowWith({
        transform: `function transform(w) { return { body: 'x', headers: { 'X-Copy': 'token ' + w.headers.Authorization } } }`,
        authEnc: null,
      }),
      custom,
    );
    expect(r).toMatchObject({
      body: 'x',
      headers: { 'X-Copy': 'token Bearer s3cret' },
      transformed: { url: before.url, body: 'x' },
    });
    expect(Object.keys(r.redact).sort()).toEqual(['Authorization', 'X-Copy']);
    expect(r.unsent).toBeUndefined();
  });

  it('a cancel or a failure is a result without a send', async () => {
    const cancelled = await attemptRequest(
      ctxWith(),
      rowWith({ transform: 'function transform() { return { cancel: true } }', authEnc: null }),
      custom,
    );
    expect(cancelled.unsent?.outcome).toEqual({
      kind: 'error',
      errorClass: 'cancelled',
      message: 'the transform cancelled this delivery: nothing was sent',
    });
    const failed = await attemptRequest(
      ctxWith(),
      rowWith({ transform: 'function transform() { throw new Error("no") }', authEnc: null }),
      custom,
    );
    expect(failed.unsent?.outcome).toMatchObject({
      kind: 'error',
      errorClass: 'transform',
      message: 'transform threw Error: no (line 1, column 39)',
    });
  });

  it("an authenticated subscription's credentials never follow a transform to another origin; a path on the same origin is fine", async () => {
    const away = await attemptRequest(
      ctxWith(),
      rowWith({
        transform: 'function transform() { return { url: "https://elsewhere.example.net/in" } }',
        authEnc: 'sealed',
      }),
      custom,
    );
    expect(away.unsent?.outcome).toMatchObject({
      kind: 'error',
      errorClass: 'transform',
      message: expect.stringContaining('its credentials are not sent to another origin'),
    });
    const samePlace = await attemptRequest(
      ctxWith(),
      rowWith({ transform: 'function transform(w) { return { url: w.url + "/v2" } }', authEnc: 'sealed' }),
      custom,
    );
    expect(samePlace).toMatchObject({
      url: 'https://hooks.example.com/in/v2',
      transformed: { url: 'https://hooks.example.com/in/v2' },
    });
    expect(samePlace.unsent).toBeUndefined();
  });
});
