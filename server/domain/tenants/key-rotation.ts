import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import { subscriptions } from '../../../drizzle/schema';
import type { Ctx } from '../context';
import { decryptSecret, encryptSecret, needsReencryption } from './crypto';

/**
 * Rotating HOOKRELAY_SECRET_KEY (docs/operations.md): deploy the new key as HOOKRELAY_SECRET_KEY
 * with the old one in HOOKRELAY_SECRET_KEY_PREVIOUS (everything keeps decrypting), run this
 * (`pnpm cli secrets reencrypt`) to rewrite every subscription secret (current and rotating-out)
 * and custom header set under the current key, then drop the old key. Ciphertexts name their key (crypto.ts), so only rows
 * under another key are rewritten, and a second run rewrites nothing.
 *
 * A row is updated only if its ciphertexts are still the ones read; if a concurrent rotate-secret
 * changed them (its previous secret may still be under the old key), the row is read again.
 * Rows whose key is unknown are reported, not fatal: an old key was removed too early and must be
 * put back in HOOKRELAY_SECRET_KEY_PREVIOUS before re-running.
 */
export type ReencryptReport = { scanned: number; reencrypted: number; current: number; failed: Array<{ subscriptionId: string; error: string }> };

type Row = { id: string; secretEnc: string; previousSecretEnc: string | null; headersEnc: string | null };

const stale = (ctx: Ctx, r: Row) =>
  needsReencryption(ctx.keys, r.secretEnc) || [r.previousSecretEnc, r.headersEnc].some((enc) => enc !== null && needsReencryption(ctx.keys, enc));
const columns = { id: subscriptions.id, secretEnc: subscriptions.secretEnc, previousSecretEnc: subscriptions.previousSecretEnc, headersEnc: subscriptions.headersEnc };

/** Re-encrypts one row; returns whether it wrote, after re-reading the row if it changed meanwhile. */
async function reencryptRow(ctx: Ctx, first: Row): Promise<boolean> {
  let row: Row | undefined = first;
  for (let tries = 0; row && stale(ctx, row) && tries < 5; tries++) {
    const again = (enc: string) => (needsReencryption(ctx.keys, enc) ? encryptSecret(ctx.keys, decryptSecret(ctx.keys, enc)) : enc);
    const secretEnc = again(row.secretEnc);
    const previousSecretEnc = row.previousSecretEnc === null ? null : again(row.previousSecretEnc);
    const headersEnc = row.headersEnc === null ? null : again(row.headersEnc);
    const updated = await ctx.db
      .update(subscriptions)
      .set({ secretEnc, previousSecretEnc, headersEnc })
      .where(and(
        eq(subscriptions.id, row.id),
        eq(subscriptions.secretEnc, row.secretEnc),
        row.previousSecretEnc === null ? isNull(subscriptions.previousSecretEnc) : eq(subscriptions.previousSecretEnc, row.previousSecretEnc),
        row.headersEnc === null ? isNull(subscriptions.headersEnc) : eq(subscriptions.headersEnc, row.headersEnc),
      ))
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
  let after = '';
  for (;;) {
    const rows = await ctx.db.select(columns).from(subscriptions).where(gt(subscriptions.id, after)).orderBy(asc(subscriptions.id)).limit(batchSize);
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
  return report;
}
