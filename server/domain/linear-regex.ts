import { RE2JS } from 're2js';

/**
 * User-supplied regular expressions (the `pattern` and `patternProperties` of a catalog schema) run
 * in RE2 (the pure-JS `re2js` port): matching is linear in the input, so a pattern such as `(a+)+$`
 * cannot stall a publish the way a backtracking engine (JavaScript's own) would. RE2 has no
 * look-around and no back-references; a pattern using them is refused when saved.
 *
 * Patterns that nest a repetition inside a repetition (`(a+)+`, `(\w*x)*`) are refused as well,
 * although RE2 would run them fine: receivers and client libraries often check the same schema with
 * a backtracking engine, and a catalog should not hand them a catastrophic pattern.
 */
function compileLinear(pattern: string): { test: (s: string) => boolean; toString: () => string } {
  // Ajv keys its compiled patterns by `toString()`: RE2JS gives back the pattern itself.
  return RE2JS.compile(pattern);
}

/** Ajv's `code.regExp` engine: Ajv compiles every `pattern` keyword with it. */
export const linearRegExpEngine = Object.assign((pattern: string, _flags: string) => compileLinear(pattern), {
  code: 'linearRegExp',
});

/**
 * Why a pattern is refused, or null when it is fine: not RE2 syntax, or a repetition nested inside
 * another one. The nesting check is a scan of the pattern (escapes and character classes skipped),
 * not a full parser: it errs on the side of refusing.
 */
export function regexProblem(pattern: string): string | null {
  try {
    RE2JS.compile(pattern);
  } catch (err) {
    return `is not a regular expression the linear-time engine (RE2) accepts: ${err instanceof Error ? err.message : String(err)}`;
  }
  return nestedQuantifier(pattern)
    ? 'nests a repetition inside a repetition (such as (a+)+), which backtracking engines take exponential time on'
    : null;
}

/** The length of a repeating quantifier (`*`, `+`, `{n,}`, `{n,m}` with m > 1) at `i`, 0 if none (`?` and `{0,1}` do not repeat). */
function repeatAt(p: string, i: number): number {
  const c = p[i];
  if (c === '*' || c === '+') return 1;
  if (c !== '{') return 0;
  const m = /^\{(\d*)(,(\d*))?\}/.exec(p.slice(i));
  if (!m) return 0;
  const repeats = m[2] === undefined ? Number(m[1]) > 1 : m[3] === '' || Number(m[3]) > 1;
  return repeats ? m[0].length : 0;
}

/** Any quantifier at `i` (repeating or `?`), with its lazy/possessive suffix: its length, 0 if none. */
function quantifierAt(p: string, i: number): number {
  let n = p[i] === '?' ? 1 : repeatAt(p, i);
  if (p[i] === '{' && n === 0) {
    const m = /^\{\d*(,\d*)?\}/.exec(p.slice(i));
    n = m ? m[0].length : 0;
  }
  if (n && (p[i + n] === '?' || p[i + n] === '+')) n++;
  return n;
}

function nestedQuantifier(p: string): boolean {
  // One frame per open group: does it contain a repetition?
  const stack: boolean[] = [false];
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '\\') {
      i += 2;
    } else if (c === '[') {
      i++;
      if (p[i] === '^') i++;
      if (p[i] === ']') i++;
      while (i < p.length && p[i] !== ']') i += p[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '(') {
      stack.push(false);
      i++;
      continue;
    } else if (c === ')') {
      const inner = stack.length > 1 ? stack.pop()! : false;
      i++;
      const r = repeatAt(p, i);
      if (r && inner) return true;
      if (inner || r) stack[stack.length - 1] = true;
      i += quantifierAt(p, i);
      continue;
    } else {
      i++;
    }
    // After an atom: a repeating quantifier marks the enclosing group.
    if (repeatAt(p, i)) stack[stack.length - 1] = true;
    i += quantifierAt(p, i);
  }
  return false;
}
