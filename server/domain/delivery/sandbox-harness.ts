/**
 * Evaluated in every context before the transform's source, so it holds the built-ins as they were
 * before that code ran. `run(fn, input)` calls the transform on the parsed input and answers one string:
 * `R` + the output as JSON, `O` + why the output is not acceptable, or `T` + what the transform threw.
 * A transform that redefines these built-ins can only confuse its own result, which the host checks again.
 */
export const HARNESS = String.raw`(() => {
  'use strict';
  const parse = JSON.parse, stringify = JSON.stringify, keys = Object.keys, isArray = Array.isArray, StringOf = String;
  const KNOWN = ['body', 'headers', 'url', 'cancel'];
  const what = (v) =>
    v === null ? 'null' : isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v === 'undefined' ? 'undefined'
      : (/^[aeiou]/.test(typeof v) ? 'an ' : 'a ') + typeof v;
  const cut = (s, n) => (s.length > n ? s.slice(0, n) + '…' : s);
  const describe = (e) => {
    try {
      if (e !== null && typeof e === 'object' && typeof e.message === 'string') {
        const name = typeof e.name === 'string' && e.name ? e.name : 'Error';
        const at = typeof e.stack === 'string' ? /transform\.js:(\d+):(\d+)/.exec(e.stack.slice(0, 2000)) : null;
        return cut(name + ': ' + e.message, 1000) + (at ? ' (line ' + at[1] + ', column ' + at[2] + ')' : '');
      }
      if (typeof e === 'string') return cut(e, 1000);
      return cut(StringOf(stringify(e) ?? e), 1000);
    } catch {
      return 'a value that cannot be shown';
    }
  };
  return (fn, input) => {
    let r;
    try {
      r = fn(parse(input));
    } catch (e) {
      return 'T' + describe(e);
    }
    try {
      if (r === null || typeof r !== 'object' || isArray(r))
        return 'O' + 'transform must return an object {body?, headers?, url?, cancel?}, not ' + what(r);
      if (typeof r.then === 'function')
        return 'O' + 'transform returned a Promise: it must return its result directly (async functions are not supported)';
      for (const k of keys(r))
        if (!KNOWN.includes(k)) return 'O' + 'transform returned an unknown key "' + cut(k, 100) + '" (it may return body, headers, url and cancel)';
      const out = {};
      if (r.cancel !== undefined) {
        if (typeof r.cancel !== 'boolean') return 'O' + 'cancel must be true or false, not ' + what(r.cancel);
        out.cancel = r.cancel;
      }
      if (r.url !== undefined) {
        if (typeof r.url !== 'string') return 'O' + 'url must be a string, not ' + what(r.url);
        out.url = r.url;
      }
      if (r.headers !== undefined) {
        const h = r.headers;
        if (h === null || typeof h !== 'object' || isArray(h)) return 'O' + 'headers must be an object of strings, not ' + what(h);
        const o = {};
        for (const k of keys(h)) {
          const v = h[k];
          if (typeof v !== 'string') return 'O' + 'the value of header "' + cut(k, 100) + '" must be a string, not ' + what(v);
          o[k] = v;
        }
        out.headers = o;
      }
      if (r.body !== undefined) {
        if (typeof r.body === 'string') out.body = r.body;
        else {
          let s;
          try {
            s = stringify(r.body);
          } catch (e) {
            return 'O' + 'body cannot be serialised as JSON: ' + describe(e);
          }
          if (typeof s !== 'string') return 'O' + 'body must be a string or a JSON value, not ' + what(r.body);
          out.body = s;
        }
      }
      return 'R' + stringify(out);
    } catch (e) {
      return 'O' + 'reading what transform returned threw ' + describe(e);
    }
  };
})()`;
