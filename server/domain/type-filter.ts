import { sql, type Column, type SQL } from 'drizzle-orm';

/**
 * Event-type filters for lists (`GET /events?type=`, `GET /deliveries?eventType=`) use the same
 * pattern language as subscriptions (server/domain/patterns.ts), so `charge.*` in a filter selects
 * exactly the events a `charge.*` subscription would receive. The pattern must already be valid
 * (inputs.ts checks it): its literal segments are only [A-Za-z0-9_-], so nothing needs escaping but
 * the dots.
 */
const SEGMENT = '[A-Za-z0-9_-]+';

/** The anchored regular expression (POSIX and JavaScript alike) a pattern stands for; null for `*` (all). */
export function patternRegex(pattern: string): string | null {
  if (pattern === '*') return null;
  const parts = pattern.split('.').map((s) => (s === '**' ? `${SEGMENT}(\\.${SEGMENT})*` : s === '*' ? SEGMENT : s));
  return `^${parts.join('\\.')}$`;
}

/** `column = type` for an exact type, a regular-expression match for a pattern, nothing for `*`. */
export function typeFilter(column: Column, pattern: string | undefined): SQL | undefined {
  if (pattern === undefined) return undefined;
  if (!pattern.includes('*')) return sql`${column} = ${pattern}`;
  const re = patternRegex(pattern);
  return re === null ? undefined : sql`${column} ~ ${re}`;
}
