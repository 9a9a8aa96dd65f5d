import type { EndpointAuthInfo, subscriptions } from '../../../drizzle/schema';
import type { Ctx } from '../context';
import { checkTargetUrl } from './url-guard';
import { DomainError, invalidInput } from '../errors';
import type { EndpointAuthenticationInput } from './inputs';
import { parseClientCertificate } from '../tenants/client-certificate';
import { decryptSecret, encryptSecret, sealedIn, type Keyring } from '../crypto';
import { REDACTED } from './custom-headers';

/**
 * A subscription's endpoint authentication as stored: what reads show (`auth_info`: the
 * certificate's subject, fingerprint and validity, or the token URL, client id and scope) in the
 * clear, the credentials themselves (the private key and certificate, or the client secret) sealed
 * in `auth_enc` (AES-256-GCM bound to the row, crypto.ts), and the certificate's expiry in a plain
 * column for the expiry check. Checked here when saved; used by the worker in
 * delivery/endpoint-auth.ts.
 */
type Row = typeof subscriptions.$inferSelect;

export type SealedAuth =
  | { type: 'mtls'; certificate: string; privateKey: string; fingerprint: string }
  | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope: string | null };

export type AuthColumns = Pick<Row, 'authInfo' | 'authEnc' | 'clientCertNotAfter' | 'clientCertExpiryWarnedAt'>;

const NO_AUTH: AuthColumns = {
  authInfo: null,
  authEnc: null,
  clientCertNotAfter: null,
  clientCertExpiryWarnedAt: null,
};

/** The stored credentials, decrypted (the worker's and an update's `"[redacted]"`). */
export function unsealAuth(keys: Keyring, id: string, authEnc: string): SealedAuth {
  return JSON.parse(decryptSecret(keys, authEnc, sealedIn.subscriptionAuth(id))) as SealedAuth;
}

const origin = (url: string) => new URL(url).origin;

/**
 * The columns `input` sets: the credentials checked (a 400 naming `auth.<field>` for each
 * problem), sealed to subscription `id`. `before`: the stored subscription on update (its client
 * secret is kept for `"[redacted]"`); `movedTo`: the endpoint's new origin when the update moves it.
 */
export function storedAuthentication(
  ctx: Ctx,
  id: string,
  input: EndpointAuthenticationInput | null,
  before: Row | null,
  movedTo: string | null,
): AuthColumns {
  if (input === null) return NO_AUTH;
  const setAt = ctx.now().toISOString();
  if (input.type === 'mtls') {
    const parsed = parseClientCertificate(input.certificate, input.privateKey, ctx.now());
    if ('problems' in parsed)
      throw invalidInput(parsed.problems.map((p) => ({ field: `auth.${p.field}`, reason: p.reason })));
    const { info } = parsed;
    const sealed: SealedAuth = {
      type: 'mtls',
      certificate: parsed.certificate,
      privateKey: parsed.privateKey,
      fingerprint: info.fingerprint,
    };
    return {
      authInfo: {
        type: 'mtls',
        subject: info.subject,
        issuer: info.issuer,
        fingerprint: info.fingerprint,
        notBefore: info.notBefore.toISOString(),
        notAfter: info.notAfter.toISOString(),
        setAt,
      },
      authEnc: encryptSecret(ctx.keys, JSON.stringify(sealed), sealedIn.subscriptionAuth(id)),
      clientCertNotAfter: info.notAfter,
      // A new certificate is warned about afresh.
      clientCertExpiryWarnedAt: null,
    };
  }
  // The token URL gets the client secret: the same rules as the endpoint itself (SSRF, ports).
  const problem = checkTargetUrl(input.tokenUrl, ctx.config.allowPrivateTargets, ctx.config.targetPorts);
  if (problem) throw new DomainError('bad_request', `auth.tokenUrl ${problem}`, { field: 'auth.tokenUrl' });
  const clientSecret =
    input.clientSecret === REDACTED ? keptSecret(ctx, before, input.tokenUrl, movedTo) : input.clientSecret;
  const sealed: SealedAuth = {
    type: 'oauth2',
    tokenUrl: input.tokenUrl,
    clientId: input.clientId,
    clientSecret,
    scope: input.scope ?? null,
  };
  return {
    authInfo: { type: 'oauth2', tokenUrl: input.tokenUrl, clientId: input.clientId, scope: input.scope ?? null, setAt },
    authEnc: encryptSecret(ctx.keys, JSON.stringify(sealed), sealedIn.subscriptionAuth(id)),
    clientCertNotAfter: null,
    clientCertExpiryWarnedAt: null,
  };
}

/**
 * The stored client secret, for an update that says `"[redacted]"`: only to the token URL's origin it
 * was given for, and only while the endpoint stays on its origin (tokens are for that endpoint).
 */
function keptSecret(ctx: Ctx, before: Row | null, tokenUrl: string, movedTo: string | null): string {
  const field = 'auth.clientSecret';
  if (!before?.authEnc || before.authInfo?.type !== 'oauth2')
    throw new DomainError(
      'bad_request',
      `"${REDACTED}" keeps a stored client secret, but the subscription has no OAuth2 auth: give the secret`,
      {
        field,
      },
    );
  if (origin(tokenUrl) !== origin(before.authInfo.tokenUrl))
    throw new DomainError(
      'bad_request',
      `the token URL moves from ${origin(before.authInfo.tokenUrl)} to ${origin(tokenUrl)}: the stored client secret is not sent to another origin; give it again`,
      { field },
    );
  if (movedTo)
    throw new DomainError(
      'bad_request',
      `the url moves to ${movedTo}: OAuth2 credentials given for the old endpoint are not kept; give the client secret again`,
      {
        field,
      },
    );
  const sealed = unsealAuth(ctx.keys, before.id, before.authEnc);
  if (sealed.type !== 'oauth2') throw new Error(`subscription ${before.id}: stored authentication is not oauth2`);
  return sealed.clientSecret;
}

/**
 * An update that moves the endpoint to another origin and leaves `auth` out: refused when
 * the stored authentication is OAuth2 (its tokens were meant for the old endpoint, and would be sent
 * to the new one). A client certificate stays: presenting it reveals no secret.
 */
export function checkAuthOnMove(before: Row, movedTo: string | null): void {
  if (movedTo && before.authInfo?.type === 'oauth2')
    throw new DomainError(
      'bad_request',
      `the url moves from ${origin(before.url)} to ${movedTo}: give its OAuth2 authentication again (or null to remove it); stored credentials are not sent to another origin`,
      { field: 'auth' },
    );
}

/** OAuth2 sends its token as `Authorization`: a custom header of that name would be overwritten, so it is refused. */
export function checkAuthorizationHeader(auth: EndpointAuthInfo | null, headerNames: readonly string[]): void {
  if (auth?.type !== 'oauth2') return;
  const name = headerNames.find((n) => n.toLowerCase() === 'authorization');
  if (name)
    throw new DomainError(
      'bad_request',
      `"${name}" is set by the OAuth2 authentication (the bearer token): remove the header, or the authentication`,
      {
        field: `headers.${name}`,
      },
    );
}
