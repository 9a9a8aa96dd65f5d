/**
 * A subscription's custom headers: `{name: value}` sent on every attempt (first, retries, replays and
 * test events), e.g. an `Authorization` the receiver's gateway wants. Values are credentials:
 * encrypted at rest like signing secrets, never returned by a read (`"[redacted]"`), and stored in an
 * attempt's recorded request as `"[redacted]"` too.
 *
 * Pure: validation and redaction only (encryption is the caller's, with tenants/crypto.ts).
 */
const CUSTOM_HEADER_LIMITS = { count: 20, bytes: 4096 } as const;

/** What reads and recorded requests show instead of a custom header's value. */
export const REDACTED = '[redacted]';

/**
 * Names Hookrelay sets itself (or that the HTTP client owns: hop-by-hop headers): a subscription may
 * not override them. Compared case-insensitively; `webhook-*` is a prefix.
 */
const RESERVED = [
  'content-type',
  'content-length',
  'host',
  'user-agent',
  'connection',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
];

/** RFC 7230 `token`: one or more tchar. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const utf8 = new TextEncoder();

export type HeaderIssue = { name: string | null; reason: string };

/** Why `name` may not be a custom header, or null. */
export function reservedReason(name: string): string | null {
  const lower = name.toLowerCase();
  if (lower.startsWith('webhook-'))
    return `"${name}" is reserved: Hookrelay sets the webhook-* headers (id, timestamp, signature)`;
  if (RESERVED.includes(lower)) return `"${name}" is reserved: Hookrelay sets it itself`;
  return null;
}

/**
 * Every problem of a custom header set, each naming its header (null: the set as a whole). Empty: valid.
 * Values may hold visible characters, spaces and tabs (Latin-1, as HTTP carries them), never CR, LF, NUL
 * or other control characters (a header injection).
 */
export function validateCustomHeaders(headers: Record<string, string>): HeaderIssue[] {
  const issues: HeaderIssue[] = [];
  const entries = Object.entries(headers);
  if (entries.length > CUSTOM_HEADER_LIMITS.count)
    issues.push({
      name: null,
      reason: `has ${entries.length} headers, above the limit of ${CUSTOM_HEADER_LIMITS.count}`,
    });
  const seen = new Map<string, string>();
  let bytes = 0;
  for (const [name, value] of entries) {
    bytes += utf8.encode(name).length + utf8.encode(value).length;
    if (!TOKEN.test(name)) {
      issues.push({
        name,
        reason: `"${name}" is not a valid header name (letters, digits and !#$%&'*+-.^_\`|~, no spaces or colons)`,
      });
      continue;
    }
    const reserved = reservedReason(name);
    if (reserved) {
      issues.push({ name, reason: reserved });
      continue;
    }
    const twin = seen.get(name.toLowerCase());
    if (twin !== undefined)
      issues.push({ name, reason: `"${name}" repeats "${twin}" (header names are case-insensitive)` });
    seen.set(name.toLowerCase(), name);
    if (/[\r\n\0]/.test(value)) issues.push({ name, reason: `the value of "${name}" must not contain CR, LF or NUL` });
    // eslint-disable-next-line no-control-regex
    else if (/[\x01-\x08\x0a-\x1f\x7f]|[^\x00-\xff]/.test(value))
      issues.push({ name, reason: `the value of "${name}" may hold only visible characters, spaces and tabs` });
  }
  if (bytes > CUSTOM_HEADER_LIMITS.bytes)
    issues.push({
      name: null,
      reason: `headers total ${bytes} bytes, above the limit of ${CUSTOM_HEADER_LIMITS.bytes}`,
    });
  return issues;
}

/** The headers as a read shows them: each name, with its value redacted. */
export function redactedHeaders(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, REDACTED]));
}

/**
 * `sent` as an attempt records it: the value of every custom header replaced by `"[redacted]"` (the
 * request carried the real value).
 */
export function redactSent(sent: Record<string, string>, custom: Record<string, string>): Record<string, string> {
  const names = new Set(Object.keys(custom).map((n) => n.toLowerCase()));
  if (names.size === 0) return sent;
  return Object.fromEntries(Object.entries(sent).map(([k, v]) => [k, names.has(k.toLowerCase()) ? REDACTED : v]));
}
