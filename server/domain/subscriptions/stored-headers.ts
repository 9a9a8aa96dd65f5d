import { subscriptions } from '../../../drizzle/schema';
import type { Ctx } from '../context';
import { decryptSecret, encryptSecret, sealedIn } from '../crypto';
import { REDACTED } from '../delivery/custom-headers';
import { DomainError } from '../errors';

type Row = typeof subscriptions.$inferSelect;

/** Custom headers as stored: names in the clear (for reads), the whole set encrypted (for attempts). */
export function storedHeaders(
  ctx: Ctx,
  id: string,
  headers: Record<string, string> | null,
): { headerNames: string[]; headersEnc: string | null } {
  const names = Object.keys(headers ?? {});
  if (!headers || names.length === 0) return { headerNames: [], headersEnc: null };
  return {
    headerNames: names,
    headersEnc: encryptSecret(ctx.keys, JSON.stringify(headers), sealedIn.subscriptionHeaders(id)),
  };
}

/** The stored custom headers of a subscription, decrypted (empty when it has none). */
function decryptHeaders(ctx: Ctx, row: Pick<Row, 'id' | 'headersEnc'>): Record<string, string> {
  return row.headersEnc
    ? (JSON.parse(decryptSecret(ctx.keys, row.headersEnc, sealedIn.subscriptionHeaders(row.id))) as Record<
        string,
        string
      >)
    : {};
}

/**
 * An update's headers with every `"[redacted]"` value replaced by the stored value of that header
 * (names compared case-insensitively), so a read can be edited and sent back without re-entering
 * secrets. `"[redacted]"` for a header the subscription does not have is a 400, and so is any
 * `"[redacted]"` when the update moves the URL to another origin (`movedTo`): stored values were
 * given for the old origin (often its credentials) and are never sent to a new one.
 */
export function keepRedacted(
  ctx: Ctx,
  before: Row,
  headers: Record<string, string> | null,
  movedTo: string | null,
): Record<string, string> | null {
  if (!headers || !Object.values(headers).includes(REDACTED)) return headers;
  if (movedTo) {
    const name = Object.keys(headers).find((k) => headers[k] === REDACTED)!;
    throw new DomainError(
      'bad_request',
      `the url moves from ${new URL(before.url).origin} to ${movedTo}: stored header values are not sent to another origin; give the value of "${name}" again (or leave the header out)`,
      { field: `headers.${name}` },
    );
  }
  const stored = new Map(Object.entries(decryptHeaders(ctx, before)).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => {
      if (value !== REDACTED) return [name, value];
      const kept = stored.get(name.toLowerCase());
      if (kept === undefined)
        throw new DomainError(
          'bad_request',
          `"${REDACTED}" keeps a stored value, but the subscription has no header "${name}": give its value`,
          {
            field: `headers.${name}`,
          },
        );
      return [name, kept];
    }),
  );
}
