import { randomBytes } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { portalTokens } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { DomainError } from '../errors';
import { hashToken } from '../crypto';
import { newId } from '../ids';
import { recordAudit } from '../audit/log';
import type { PortalTheme } from '../../../drizzle/schema/values';
import { getCustomer, requirePlatform } from './customers';

/**
 * A short-lived (15 min by default), single-use sign-in link to a customer's dashboard. An embed
 * link (`embed`) signs in to the embedded view only, which only PORTAL_FRAME_ANCESTORS may frame:
 * with none configured it is refused, as a link no page could show.
 */
export async function createPortalLink(
  ctx: Ctx,
  scope: Scope,
  customerId: string,
  input: {
    readOnly?: boolean | undefined;
    ttlSeconds?: number | undefined;
    embed?: boolean | undefined;
    theme?: PortalTheme | undefined;
  },
  baseUrl: string,
) {
  requirePlatform(scope);
  const embed = input.embed ?? false;
  if (embed && ctx.config.portalFrameAncestors.length === 0) {
    throw new DomainError(
      'bad_request',
      'embedding is off: no origin may frame the portal (set PORTAL_FRAME_ANCESTORS)',
      { field: 'embed' },
    );
  }
  if (input.theme !== undefined && !embed)
    throw new DomainError('bad_request', 'a theme applies to embed links only (embed: true)', { field: 'theme' });
  await getCustomer(ctx, scope, customerId);
  const token = randomBytes(32).toString('base64url');
  const ttl = input.ttlSeconds ?? 900;
  const expiresAt = new Date(ctx.now().getTime() + ttl * 1000);
  const id = newId('portalToken');
  const readOnly = input.readOnly ?? false;
  const theme = input.theme ?? null;
  await ctx.db.transaction(async (tx) => {
    await tx
      .insert(portalTokens)
      .values({ id, customerId, tokenHash: hashToken(token), readOnly, embed, theme, expiresAt, createdAt: ctx.now() });
    await recordAudit(ctx, tx, scope, {
      customerId,
      action: 'portal_link.created',
      target: { kind: 'portal_link', id },
      after: { readOnly, expiresAt: expiresAt.toISOString(), ...(embed ? { embed, theme } : {}) },
    });
  });
  return {
    url: `${baseUrl.replace(/\/$/, '')}/portal${embed ? '/embed' : ''}?token=${encodeURIComponent(token)}`,
    expiresAt: expiresAt.toISOString(),
    readOnly,
    embed,
  };
}

/**
 * Consumes a portal token: valid, unexpired, unused and of the kind asked for (an embed link signs
 * in to the embedded view only, a plain one never to it), else null. Single use is enforced by the update.
 */
export async function consumePortalToken(ctx: Ctx, token: string, kind: { embed: boolean } = { embed: false }) {
  const now = ctx.now();
  const [row] = await ctx.db
    .update(portalTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(portalTokens.tokenHash, hashToken(token)),
        eq(portalTokens.embed, kind.embed),
        isNull(portalTokens.usedAt),
        sql`${portalTokens.expiresAt} > ${now.toISOString()}::timestamptz`,
      ),
    )
    .returning({ customerId: portalTokens.customerId, readOnly: portalTokens.readOnly, theme: portalTokens.theme });
  return row ?? null;
}
