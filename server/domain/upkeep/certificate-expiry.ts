import { and, eq, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import { subscriptions } from '../../../drizzle/schema';
import type { Ctx } from '../context';
import { emitOperational } from '../notices/emit';
import { plural } from '../wording';

/**
 * Client certificates about to expire (mTLS endpoint authentication): run hourly by the worker with
 * retention. Each subscription whose certificate expires within CERTIFICATE_WARNING_DAYS (or has
 * expired) gets one `subscription.certificate_expiring` operational event per certificate: the row
 * is marked in the event's transaction, and a new certificate clears the mark
 * (tenants/endpoint-credentials.ts). Each row is its own statement by id and customer (one shard on
 * Citus). Returns how many were warned about.
 */
const CERTIFICATE_WARNING_DAYS = 14;

/** Rows looked at per run; the rest wait for the next hour. */
const BATCH = 1000;

export async function warnExpiringCertificates(ctx: Ctx): Promise<number> {
  const now = ctx.now();
  const horizon = new Date(now.getTime() + CERTIFICATE_WARNING_DAYS * 86400_000);
  const due = await ctx.db
    .select({
      id: subscriptions.id,
      customerId: subscriptions.customerId,
      url: subscriptions.url,
      info: subscriptions.authInfo,
    })
    .from(subscriptions)
    .where(
      and(
        isNotNull(subscriptions.clientCertNotAfter),
        isNull(subscriptions.clientCertExpiryWarnedAt),
        lte(subscriptions.clientCertNotAfter, horizon),
      ),
    )
    .limit(BATCH);
  let warned = 0;
  for (const s of due) {
    if (s.info?.type !== 'mtls') continue;
    const cert = s.info;
    await ctx.db.transaction(async (tx) => {
      // Still this certificate, and still not warned about (another worker may have run meanwhile).
      const marked = await tx
        .update(subscriptions)
        .set({ clientCertExpiryWarnedAt: now })
        .where(
          and(
            eq(subscriptions.id, s.id),
            eq(subscriptions.customerId, s.customerId),
            isNull(subscriptions.clientCertExpiryWarnedAt),
            sql`${subscriptions.authInfo}->>'fingerprint' = ${cert.fingerprint}`,
          ),
        )
        .returning({ id: subscriptions.id });
      if (marked.length === 0) return;
      const notAfter = new Date(cert.notAfter);
      const days = Math.floor((notAfter.getTime() - now.getTime()) / 86400_000);
      const when =
        notAfter <= now
          ? `expired on ${cert.notAfter}`
          : `expires on ${cert.notAfter} (in ${days < 1 ? 'less than a day' : plural(days, 'day')})`;
      await emitOperational(ctx, tx, [
        {
          type: 'subscription.certificate_expiring',
          data: {
            customerId: s.customerId,
            subscriptionId: s.id,
            url: s.url,
            reason: notAfter <= now ? 'expired' : 'expiring',
            subject: cert.subject,
            fingerprint: cert.fingerprint,
            notAfter: cert.notAfter,
            message: `the client certificate ${cert.subject} ${when}: give the subscription a new one before then`,
          },
        },
      ]);
      warned++;
    });
  }
  return warned;
}
