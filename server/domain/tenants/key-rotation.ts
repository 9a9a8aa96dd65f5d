import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import { subscriptions } from '../../../drizzle/schema';
import type { Ctx } from '../context';
import { decryptSecret, encryptSecret, needsReencryption, sealedIn, type SecretBinding } from '../crypto';

/**
 * Rotating HOOKRELAY_SECRET_KEY (docs/operations.md): deploy the new key as HOOKRELAY_SECRET_KEY
 * with the old one in HOOKRELAY_SECRET_KEY_PREVIOUS (everything keeps decrypting), run this
 * (`pnpm cli secrets reencrypt`) to rewrite every subscription secret (current and rotating-out),
 * custom header set and endpoint credentials (operational webhooks are subscriptions too), under the current key, then drop
 * the old key. Ciphertexts name their format and key (crypto.ts), so only rows under another key or
 * in the earlier format (v1, not bound to its row) are rewritten, and a second run rewrites nothing.
 * The same command upgrades v1 ciphertexts after an upgrade of Hookrelay, with no key change.
 *
 * A row is updated only if its ciphertexts are still the ones read; if a concurrent rotate-secret
 * changed them (its previous secret may still be under the old key), the row is read again.
 * Rows whose key is unknown are reported, not fatal: an old key was removed too early and must be
 * put back in HOOKRELAY_SECRET_KEY_PREVIOUS before re-running.
 */
/** `failed` names the row: a subscription (`sub_…`) or an operational webhook (`owh_…`). */
export type ReencryptReport = {
  scanned: number;
  reencrypted: number;
  current: number;
  failed: Array<{ subscriptionId: string; error: string }>;
};

type Row = {
  id: string;
  customerId: string;
  secretEnc: string;
  previousSecretEnc: string | null;
  headersEnc: string | null;
  authEnc: string | null;
};

const stale = (ctx: Ctx, r: Row) =>
  needsReencryption(ctx.keys, r.secretEnc) ||
  [r.previousSecretEnc, r.headersEnc, r.authEnc].some((enc) => enc !== null && needsReencryption(ctx.keys, enc));
/** A subscription's encrypted values: its secrets, its custom headers' values and its endpoint credentials. */
const columns = {
  id: subscriptions.id,
  customerId: subscriptions.customerId,
  secretEnc: subscriptions.secretEnc,
  previousSecretEnc: subscriptions.previousSecretEnc,
  headersEnc: subscriptions.headersEnc,
  authEnc: subscriptions.authEnc,
};

/** Re-encrypts one row; returns whether it wrote, after re-reading the row if it changed meanwhile. */
async function reencryptRow(ctx: Ctx, first: Row): Promise<boolean> {
  let row: Row | undefined = first;
  for (let tries = 0; row && stale(ctx, row) && tries < 5; tries++) {
    const id = row.id;
    const again = (enc: string, at: SecretBinding) =>
      needsReencryption(ctx.keys, enc) ? encryptSecret(ctx.keys, decryptSecret(ctx.keys, enc, at), at) : enc;
    const secretAt = sealedIn.subscriptionSecret(id);
    const secretEnc = again(row.secretEnc, secretAt);
    const previousSecretEnc = row.previousSecretEnc === null ? null : again(row.previousSecretEnc, secretAt);
    const headers = row.headersEnc;
    const auth = row.authEnc;
    const updated = await ctx.db
      .update(subscriptions)
      .set({
        secretEnc,
        previousSecretEnc,
        headersEnc: headers === null ? null : again(headers, sealedIn.subscriptionHeaders(id)),
        authEnc: auth === null ? null : again(auth, sealedIn.subscriptionAuth(id)),
      })
      .where(
        and(
          eq(subscriptions.customerId, row.customerId),
          eq(subscriptions.id, row.id),
          eq(subscriptions.secretEnc, row.secretEnc),
          row.previousSecretEnc === null
            ? isNull(subscriptions.previousSecretEnc)
            : eq(subscriptions.previousSecretEnc, row.previousSecretEnc),
          headers === null ? isNull(subscriptions.headersEnc) : eq(subscriptions.headersEnc, headers),
          auth === null ? isNull(subscriptions.authEnc) : eq(subscriptions.authEnc, auth),
        ),
      )
      .returning({ id: subscriptions.id });
    if (updated.length > 0) return true;
    [row] = await ctx.db.select(columns).from(subscriptions).where(eq(subscriptions.id, first.id));
  }
  if (row && stale(ctx, row)) throw new Error('row kept changing while being re-encrypted; run again');
  return false; // deleted, or rewritten under the current key by someone else
}

export async function reencryptSecrets(ctx: Ctx, opts: { batchSize?: number } = {}): Promise<ReencryptReport> {
  const batchSize = opts.batchSize ?? 500;
  const report: ReencryptReport = { scanned: 0, reencrypted: 0, current: 0, failed: [] };
  await reencryptTable(ctx, batchSize, report);
  return report;
}

async function reencryptTable(ctx: Ctx, batchSize: number, report: ReencryptReport): Promise<void> {
  let after = '';
  for (;;) {
    const rows = await ctx.db
      .select(columns)
      .from(subscriptions)
      .where(gt(subscriptions.id, after))
      .orderBy(asc(subscriptions.id))
      .limit(batchSize);
    if (rows.length === 0) break;
    after = rows.at(-1)!.id;
    report.scanned += rows.length;
    for (const row of rows) {
      if (!stale(ctx, row)) {
        report.current++;
        continue;
      }
      try {
        if (await reencryptRow(ctx, row)) report.reencrypted++;
        else report.current++;
      } catch (err) {
        report.failed.push({ subscriptionId: row.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
    if (rows.length < batchSize) break;
  }
}
