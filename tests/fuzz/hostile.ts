import fc from 'fast-check';

/**
 * Hostile values for the API fuzzer (tests/fuzz/engine.ts), as fast-check arbitraries. Some inputs
 * cannot be written by JSON.stringify (`1e400`, 10,000-deep nesting that would overflow our own
 * stack first): they are `Raw` values, spliced into the request text as written.
 */
export type Raw = { readonly raw: string; readonly label: string };
const RAW = new WeakSet<object>();

export function raw(text: string, label: string): Raw {
  const r = { raw: text, label };
  RAW.add(r);
  return r;
}
export const isRaw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && RAW.has(v);

/** JSON text of `value`, with every Raw value spliced in verbatim. */
export function toJsonText(value: unknown): string {
  const spliced: string[] = [];
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (isRaw(v)) {
      spliced.push(v.raw);
      return `\u0001RAW${spliced.length - 1}\u0001`;
    }
    return v;
  });
  if (text === undefined) return '';
  return spliced.length ? text.replace(/"\\u0001RAW(\d+)\\u0001"/g, (_, i: string) => spliced[Number(i)]!) : text;
}

/** A short description of a value for the failure report (never the whole 1 MB). */
export function describeValue(v: unknown): string {
  if (isRaw(v)) return v.label;
  if (typeof v === 'string') {
    if (v.length > 80) return `string(${v.length} chars${v.includes('\u0000') ? ', with NUL' : ''})`;
    return JSON.stringify(v);
  }
  if (Array.isArray(v) && v.length > 20) return `array(${v.length})`;
  const text = toJsonText(v);
  return text.length > 120 ? `${text.slice(0, 120)}…(${text.length} chars)` : text;
}

const MB = 1024 * 1024;
const DEEP = 10_000;

/** Strings the database or a parser may choke on. */
const nastyStrings: Record<string, string> = {
  nul: '\u0000',
  nulInside: 'order\u0000created',
  loneHigh: '\ud800',
  loneLow: 'x\udfffy',
  surrogateAndNul: '\ud800\u0000',
  empty: '',
  spaces: '   ',
  nanText: 'NaN',
  infinityText: 'Infinity',
  bigIntText: '9007199254740993',
  expText: '1e400',
  minusOne: '-1',
  hexText: '0x10',
  percent: '%00%ff%',
  traversal: '../../../etc/passwd',
  template: '${7*7}{{7*7}}',
  html: '<script>alert(1)</script>',
  rtl: '\u202eevil',
  emoji: '🦄💥',
  bom: '\ufeffbom',
  crlf: 'a\r\nx-injected: 1',
  idLike: 'cus_00000000000000000000000000',
  earliestDate: '-271821-04-20T00:00:00.000Z',
  latestDate: '+275760-09-13T00:00:00.000Z',
  badDate: '2026-02-30T25:61:61Z',
  protoKey: '__proto__',
};

/** Values of every JSON type and then some: boundary numbers, NaN-ish strings, NUL, lone surrogates, 1 MB, deep nesting, huge arrays. */
export function hostileValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...Object.values(nastyStrings)) },
    {
      weight: 3,
      arbitrary: fc.constantFrom<unknown>(
        null,
        true,
        false,
        0,
        -1,
        1.5,
        -0.5,
        2 ** 31,
        -(2 ** 31) - 1,
        2 ** 53 + 1,
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_VALUE,
        8.64e15,
        -8.64e15,
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        raw('1e400', '1e400'),
        raw('-1e400', '-1e400'),
        raw('9007199254740993', '2^53+1 (exact)'),
        raw('1e-400', '1e-400'),
        raw('-0', '-0'),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom<unknown>([], {}, [null], [[]], { '': null }, { __proto__: null, constructor: 1 }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'a'.repeat(MB),
        `${'b'.repeat(MB)}\u0000`,
        raw(`"${'\\ud800'.repeat(MB / 8)}"`, 'string of 131,072 lone surrogates'),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        raw('['.repeat(DEEP) + ']'.repeat(DEEP), `array nested ${DEEP} deep`),
        raw('{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP), `object nested ${DEEP} deep`),
        raw('['.repeat(70) + ']'.repeat(70), 'array nested 70 deep'),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(
        Array.from({ length: 10_000 }, (_, i) => i),
        Array.from({ length: 1_000 }, () => 'order.created'),
        Array.from({ length: 200 }, () => ({})),
      ),
    },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

/** Names for fields the operation does not take. */
export function unknownFieldName(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      'customer_id',
      'isAdmin',
      '__proto__',
      'constructor',
      'prototype',
      '',
      ' ',
      'a.b',
      '$where',
      'x'.repeat(1000),
      '\u0000',
      '\ud800',
      'é',
    ),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }),
  );
}

/** A whole request body that is not the object the operation takes. */
export function hostileBody(): fc.Arbitrary<{ text: string; label: string }> {
  const t = (text: string, label = describeValue(text)) => ({ text, label });
  return fc.oneof(
    fc.constantFrom(
      t('', 'empty body'),
      t('null'),
      t('[]'),
      t('[{}]'),
      t('"x"'),
      t('42'),
      t('1e400'),
      t('true'),
      t('{', 'truncated JSON'),
      t('{"a":1,}', 'trailing comma'),
      t("{'a':1}", 'single quotes'),
      t('\u0000', 'NUL'),
      t('{"a":"\\u0000"}', 'object with escaped NUL'),
      t('\ufeff{}', 'BOM then {}'),
      t('{}{}', 'two objects'),
      t('a=1&b=2', 'form-encoded'),
      t('{"__proto__":{"admin":true}}', '__proto__ body'),
      t('{"a":1,"a":2}', 'duplicate keys'),
      t('['.repeat(DEEP) + ']'.repeat(DEEP), `array nested ${DEEP} deep`),
      t('{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP), `object nested ${DEEP} deep`),
      t(`{"a":"${'x'.repeat(MB)}"}`, '1 MB object'),
      t(`[${Array.from({ length: 100_000 }, () => '0').join(',')}]`, 'array of 100,000 zeros'),
    ),
    fc.string({ unit: 'binary', maxLength: 30 }).map((s) => t(s, `random text ${JSON.stringify(s)}`)),
  );
}

/** Content types a client may get wrong (undefined: no Content-Type header at all). */
export const oddContentTypes = [
  undefined,
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/xml',
  'application/json, text/plain',
  '*/*',
];

/** Authorization headers that identify nobody (undefined: none at all). */
export const badCredentials = [
  undefined,
  '',
  'Bearer',
  'Bearer ',
  'Bearer hr_live_not-a-real-key',
  'Bearer hr_live_' + 'x'.repeat(5000),
  'Basic dXNlcjpwYXNz',
  'bearer',
  'Bearer \u00ff\u00fe',
  'Token abc',
];
