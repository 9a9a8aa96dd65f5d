import { describe, expect, it } from 'vitest';
import { checkTransformSource, runTransform, SANDBOX_LIMITS, type SandboxRun } from './sandbox';

/**
 * The sandbox against what careless and hostile transforms do first. Every case ends in an answer
 * (never a throw), and the sandbox keeps working after each one: the last test runs a good transform
 * after all the bad ones.
 */
const webhook = {
  url: 'https://example.com/hook',
  headers: { authorization: 'Bearer s3cret' },
  payload: {
    id: 'evt_1',
    type: 'order.created',
    timestamp: '2026-01-01T00:00:00Z',
    data: { amount: 4200, items: [{ sku: 'a' }] },
  },
  eventType: 'order.created',
};
const input = JSON.stringify(webhook);
const run = (source: string, maxOutputChars = 1 << 20) => runTransform(source, input, { maxOutputChars });

function failed(r: SandboxRun): string {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.output)}`);
  return r.error;
}

describe('runTransform', () => {
  it('hands the webhook in and returns the body serialised, headers, url and cancel as given', async () => {
    const r = await run(`function transform(w) {
      return { body: { kind: w.eventType, cents: w.payload.data.amount, first: w.payload.data.items[0].sku, to: w.url },
               headers: { ...w.headers, 'X-Kind': w.eventType }, url: w.url + '?v=2', cancel: false };
    }`);
    expect(r).toMatchObject({
      ok: true,
      output: {
        body: JSON.stringify({ kind: 'order.created', cents: 4200, first: 'a', to: 'https://example.com/hook' }),
        headers: { authorization: 'Bearer s3cret', 'X-Kind': 'order.created' },
        url: 'https://example.com/hook?v=2',
        cancel: false,
      },
    });
  });

  it('keeps a string body as it is, and an empty object means "send it unchanged"', async () => {
    expect(await run(`function transform() { return { body: 'a=1&b=2' } }`)).toMatchObject({
      ok: true,
      output: { body: 'a=1&b=2' },
    });
    expect(await run(`const transform = (w) => ({})`)).toMatchObject({ ok: true, output: {} });
    expect(await run(`let transform = function (w) { return { cancel: true } }`)).toMatchObject({
      ok: true,
      output: { cancel: true },
    });
  });

  it('an endless loop is stopped at the CPU limit', async () => {
    const r = await run(`function transform() { while (true) {} }`);
    expect(failed(r)).toBe(
      `transform ran out of time: it used its ${SANDBOX_LIMITS.cpuMs} ms of CPU time (an endless loop?)`,
    );
    if (!r.ok) expect(r.cpuMs).toBeGreaterThanOrEqual(SANDBOX_LIMITS.cpuMs);
  });

  it('an endless loop at the top level and inside a sort comparator are stopped too', async () => {
    expect(failed(await run(`for (;;) {} function transform() { return {} }`))).toMatch(/ran out of time/);
    expect(failed(await run(`function transform() { [3, 1, 2].sort(() => { for (;;) {} }); return {} }`))).toMatch(
      /ran out of time/,
    );
  });

  it('a 100 MB string runs into the memory limit', async () => {
    expect(failed(await run(`function transform() { return { body: 'x'.repeat(1e8) } }`))).toBe(
      'transform ran out of memory: it used its 16 MiB',
    );
  });

  it('require, process, fetch, timers and console do not exist', async () => {
    for (const name of ['require', 'process', 'fetch', 'setTimeout', 'console', 'globalThis.process.env'])
      expect(failed(await run(`function transform() { ${name}('fs'); return {} }`))).toMatch(
        /^transform threw (ReferenceError|TypeError): .* \(line 1, column \d+\)$/,
      );
    expect(
      failed(await run(`function transform() { return { body: require('fs').readFileSync('/etc/passwd', 'utf8') } }`)),
    ).toBe("transform threw ReferenceError: 'require' is not defined (line 1, column 39)");
    const seen = await run(
      `function transform() { return { body: [typeof require, typeof process, typeof fetch, typeof setTimeout, typeof WebAssembly].join() } }`,
    );
    expect(seen).toMatchObject({ ok: true, output: { body: 'undefined,undefined,undefined,undefined,undefined' } });
  });

  it('an exception is reported with its class, message and line', async () => {
    expect(failed(await run(`function transform(w) {\n  return { body: w.payload.nope.deeper }\n}`))).toMatch(
      /^transform threw TypeError: cannot read property 'deeper' of undefined \(line 2, column \d+\)$/,
    );
    expect(failed(await run(`function transform() { throw 'plain string' }`))).toBe('transform threw plain string');
    expect(failed(await run(`function transform() { throw { code: 42 } }`))).toBe('transform threw {"code":42}');
  });

  it.each([
    ['undefined', 'function transform() {}', 'undefined'],
    ['null', 'function transform() { return null }', 'null'],
    ['a string', 'function transform() { return "body" }', 'a string'],
    ['a number', 'function transform() { return 42 }', 'a number'],
    ['an array', 'function transform() { return [] }', 'an array'],
  ])('a transform returning %s is an error', async (_, source, what) => {
    expect(failed(await run(source))).toBe(
      `transform must return an object {body?, headers?, url?, cancel?}, not ${what}`,
    );
  });

  it('refuses what it cannot send: unknown keys, wrong types, a Promise, a body that is no JSON', async () => {
    expect(failed(await run(`function transform(w) { w.payload.data.x = 1; return w }`))).toBe(
      'transform returned an unknown key "payload" (it may return body, headers, url and cancel)',
    );
    expect(failed(await run(`function transform() { return { headers: { 'X-N': 1 } } }`))).toBe(
      'the value of header "X-N" must be a string, not a number',
    );
    expect(failed(await run(`function transform() { return { headers: ['a'] } }`))).toBe(
      'headers must be an object of strings, not an array',
    );
    expect(failed(await run(`function transform() { return { url: 5 } }`))).toBe('url must be a string, not a number');
    expect(failed(await run(`function transform() { return { cancel: 'yes' } }`))).toBe(
      'cancel must be true or false, not a string',
    );
    expect(failed(await run(`async function transform() { return {} }`))).toBe(
      'transform returned a Promise: it must return its result directly (async functions are not supported)',
    );
    expect(failed(await run(`function transform() { return { body: () => 1 } }`))).toBe(
      'body must be a string or a JSON value, not a function',
    );
    expect(failed(await run(`function transform() { const a = {}; a.a = a; return { body: a } }`))).toMatch(
      /^body cannot be serialised as JSON: TypeError: circular/,
    );
    expect(failed(await run(`function transform() { return { body: 10n } }`))).toMatch(
      /^body cannot be serialised as JSON: TypeError/,
    );
  });

  it('an answer above the output bound never leaves the sandbox', async () => {
    expect(failed(await run(`function transform() { return { body: 'x'.repeat(5000) } }`, 4096))).toBe(
      'transform returned more than 4096 characters',
    );
  });

  it('deep recursion is a stack overflow, in JavaScript and inside native code', async () => {
    expect(failed(await run(`function f() { return f() } function transform() { return { body: f() } }`))).toBe(
      'transform overflowed its stack (recursion too deep)',
    );
    // Native recursion (the JSON parser on 100,000 nested arrays) overflows the host's stack, not
    // QuickJS's own check: the module is dropped and the next call gets a fresh one.
    expect(
      failed(await run(`function transform() { return { body: JSON.parse('['.repeat(1e5) + ']'.repeat(1e5)) } }`)),
    ).toBe('transform overflowed its stack (recursion too deep)');
  });

  it('code that rewrites the built-ins only bends its own answer, which is checked again', async () => {
    const r = await run(
      `Object.prototype.toJSON = function () { return 7 }; function transform() { return { body: 'x' } }`,
    );
    expect(failed(r)).toBe('transform returned a value of an unexpected shape');
  });

  it('each call starts from a fresh context: globals set by one event are gone for the next', async () => {
    const source = `var seen = (typeof seen === 'number' ? seen : 0); function transform() { seen += 1; globalThis.count = (globalThis.count || 0) + 1; return { body: String(count) } }`;
    expect(await run(source)).toMatchObject({ ok: true, output: { body: '1' } });
    expect(await run(source)).toMatchObject({ ok: true, output: { body: '1' } });
  });

  it('still works after every failure above', async () => {
    expect(await run(`function transform(w) { return { body: w.eventType } }`)).toMatchObject({
      ok: true,
      output: { body: 'order.created' },
    });
  });
});

describe('checkTransformSource', () => {
  it('accepts code that defines transform, as a declaration or a top-level binding', async () => {
    expect(await checkTransformSource('function transform(webhook) { return {} }')).toBeNull();
    expect(
      await checkTransformSource('const transform = (webhook) => ({ cancel: webhook.eventType === "noise" })'),
    ).toBeNull();
  });

  it('refuses code that does not compile, throws at the top level, or defines no transform', async () => {
    expect(await checkTransformSource('function transform( {')).toMatch(/^SyntaxError: .*\(line 1, column \d+\)$/);
    expect(await checkTransformSource('throw new Error("boom"); function transform() {}')).toMatch(/^Error: boom/);
    expect(await checkTransformSource('function transfrom() { return {} }')).toBe(
      'the code must define a function named transform, e.g. function transform(webhook) { … }',
    );
    expect(await checkTransformSource('var transform = 5')).toMatch(/must define a function named transform/);
    expect(await checkTransformSource('while (true) {}')).toMatch(/ran out of time/);
  });
});
