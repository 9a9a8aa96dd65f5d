import { REDACTED } from '@/server/domain/delivery/custom-headers';

/** The request headers whose values were redacted: the subscription's custom headers. */
export function redactedNames(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([, v]) => v === REDACTED)
    .map(([k]) => k);
}

/** A shell-safe single-quoted word. */
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The attempt's request as a curl command: same method, URL, headers and exact body bytes. Its
 * webhook-timestamp is the attempt's, so a receiver that enforces the 5-minute tolerance rejects a
 * copy run later; that is the replay protection working.
 */
export function toCurl(req: { method: string; url: string; headers: Record<string, string>; body: string }): string {
  const redacted = redactedNames(req.headers);
  // Custom header values are secrets, never shown: the command says so rather than pass for the real request.
  const note = redacted.length
    ? `# The real request carried the values of ${redacted.join(', ')}; replace "${REDACTED}" with them.\n`
    : '';
  const parts = [`${note}curl -X ${req.method} ${quote(req.url)}`];
  for (const [k, v] of Object.entries(req.headers)) parts.push(`-H ${quote(`${k}: ${v}`)}`);
  parts.push(`--data-raw ${quote(req.body)}`);
  return parts.join(' \\\n  ');
}
