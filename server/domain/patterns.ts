/**
 * Event-type patterns. Types are dot-separated segments of [A-Za-z0-9_-].
 *   `charge.succeeded` matches exactly; `charge.*` one segment; `charge.**` any depth (one or more);
 *   `*` alone matches every type. `*` may stand for any single segment (`*.created`); `**` only last.
 */
const segment = /^[A-Za-z0-9_-]+$/;

export function validateEventType(type: string): string | null {
  if (type.length === 0 || type.length > 200) return 'must be 1 to 200 characters';
  for (const s of type.split('.')) {
    if (!segment.test(s)) return 'must be dot-separated segments of letters, digits, "_" or "-"';
  }
  return null;
}

export function validatePattern(pattern: string): string | null {
  if (pattern === '*') return null;
  if (pattern.length === 0 || pattern.length > 200) return 'must be 1 to 200 characters';
  const parts = pattern.split('.');
  for (const [i, s] of parts.entries()) {
    if (s === '**') {
      if (i !== parts.length - 1 || i === 0)
        return '"**" is only allowed as the last segment after a prefix, e.g. "charge.**"';
      continue;
    }
    if (s === '*') continue;
    if (!segment.test(s)) return `segment "${s}" must be letters, digits, "_" or "-", or a "*" wildcard`;
  }
  return null;
}

export function matchesPattern(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  const p = pattern.split('.');
  const t = type.split('.');
  for (let i = 0; i < p.length; i++) {
    const seg = p[i];
    if (seg === '**') return t.length > i;
    if (i >= t.length) return false;
    if (seg !== '*' && seg !== t[i]) return false;
  }
  return p.length === t.length;
}

export function matchesAny(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => matchesPattern(p, type));
}

/** For the routing trace: the first pattern that matched, or null. */
export function firstMatch(patterns: readonly string[], type: string): string | null {
  return patterns.find((p) => matchesPattern(p, type)) ?? null;
}
