import { validateFilter } from '@/server/domain/filter-validation';
import type { Filter } from '@/server/domain/filters';
import { REDACTED, validateCustomHeaders } from '@/server/domain/delivery/custom-headers';

/**
 * The subscription form's text fields for a payload filter (JSON) and custom headers (`Name: value`
 * lines), parsed and checked with the API's own rules (server/domain), so the form and the API agree.
 */
export type Parsed<T> = { value: T | null; error: string | null };

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** An empty text is no filter; otherwise JSON that validateFilter accepts. */
export function parseFilter(text: string): Parsed<Filter> {
  if (text.trim() === '') return { value: null, error: null };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { value: null, error: `Not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const issues = validateFilter(json);
  if (issues.length)
    return {
      value: null,
      error: issues
        .slice(0, 3)
        .map((i) => (i.path ? `${i.path}: ${i.reason}` : sentence(i.reason)))
        .join(' · '),
    };
  return { value: json as Filter, error: null };
}

export function filterText(filter: Filter | null | undefined): string {
  return filter ? JSON.stringify(filter, null, 2) : '';
}

/** One `Name: value` a line (blank lines ignored); validateCustomHeaders' rules. */
export function parseHeaders(text: string): Parsed<Record<string, string>> {
  const headers: Record<string, string> = {};
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0)
      return { value: null, error: `Line ${i + 1}: write "Name: value", e.g. "Authorization: Bearer …".` };
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  const issues = validateCustomHeaders(headers);
  if (issues.length)
    return {
      value: null,
      error: issues
        .slice(0, 3)
        .map((i) => sentence(i.reason))
        .join(' · '),
    };
  return { value: Object.keys(headers).length ? headers : null, error: null };
}

/** A subscription's headers as the form shows them: names with `[redacted]` (values are never read back). */
export function headersText(headers: Record<string, string> | null | undefined): string {
  return Object.entries(headers ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

export { REDACTED };
