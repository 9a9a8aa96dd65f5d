import { createHash } from 'node:crypto';
import type { Ctx } from '../context';
import { REDACTED } from './custom-headers';
import { unsealAuth, type SealedAuth } from './endpoint-credentials';
import { storableText, type Sender, type SendResult } from './http-sender';

/**
 * Endpoint authentication at send time: one attempt's POST, made as the subscription's credentials
 * say (tenants/endpoint-credentials.ts stores and checks them).
 *
 * - `mtls`: the attempt presents the client certificate, over a connection pool of its own keyed by
 *   the subscription and the certificate's fingerprint (http-sender.ts), with the same SSRF check.
 * - `oauth2`: the attempt carries `Authorization: Bearer <token>`. The token comes from the token URL
 *   (`grant_type=client_credentials`, client authentication HTTP Basic as RFC 6749 §2.3.1 requires
 *   every server to accept) through the same sender (SSRF guard, TARGET_PORTS, egress proxy), and
 *   is cached in this process's memory per subscription until shortly before `expires_in`; one
 *   token request at a time per subscription (concurrent attempts wait for it). A `401` from the
 *   endpoint to a cached token fetches a new one and sends the same attempt once more. A token
 *   request that fails is the attempt's failure, of error class `auth` (retried like any failure;
 *   `blocked_target` when the SSRF guard refuses the token URL, final like a refused target). The
 *   attempt's timeout covers all of it: the token request, the POST and the one resend.
 *
 * The token is a credential: the recorded request shows `authorization: "[redacted]"`, and neither
 * the token nor the client secret appears in an error message.
 */
export type AuthTarget = { id: string; url: string; timeoutMs: number; authEnc: string | null };

/** The outcome, and the request headers as an attempt records them (a bearer token redacted). */
export type AuthenticatedSend = { result: SendResult; sent: Record<string, string> };

export async function sendToEndpoint(
  ctx: Ctx,
  sender: Sender,
  sub: AuthTarget,
  headers: Record<string, string>,
  body: string,
): Promise<AuthenticatedSend> {
  if (!sub.authEnc) return { result: await sender.send(sub.url, headers, body, sub.timeoutMs), sent: headers };
  const auth = unsealAuth(ctx.keys, sub.id, sub.authEnc);
  switch (auth.type) {
    case 'mtls': {
      const clientCertificate = {
        poolKey: `${sub.id}:${auth.fingerprint}`,
        cert: auth.certificate,
        key: auth.privateKey,
      };
      return { result: await sender.send(sub.url, headers, body, sub.timeoutMs, { clientCertificate }), sent: headers };
    }
    case 'oauth2':
      return sendWithToken(ctx, sender, sub, auth, headers, body);
  }
}

/** An access token as cached: `key` says which credentials it was issued for (a change fetches anew). */
type Token = { value: string; expiresAt: number; key: string };
type TokenCache = { tokens: Map<string, Token>; pending: Map<string, Promise<Token | SendResult>> };
/** Subscriptions whose tokens a process keeps at once (least recently used dropped first). */
const MAX_CACHED_TOKENS = 10_000;

/** One cache per sender (a worker has one): tokens live as long as the process's HTTP pools. */
const caches = new WeakMap<Sender, TokenCache>();
function cacheOf(sender: Sender): TokenCache {
  let c = caches.get(sender);
  if (!c) caches.set(sender, (c = { tokens: new Map(), pending: new Map() }));
  return c;
}

const isToken = (v: Token | SendResult): v is Token => 'value' in v;

async function sendWithToken(
  ctx: Ctx,
  sender: Sender,
  sub: AuthTarget,
  auth: Extract<SealedAuth, { type: 'oauth2' }>,
  headers: Record<string, string>,
  body: string,
): Promise<AuthenticatedSend> {
  const started = performance.now();
  const left = () => Math.round(sub.timeoutMs - (performance.now() - started));
  const finish = (result: SendResult, sent: Record<string, string>): AuthenticatedSend => ({
    result: { ...result, latencyMs: Math.round(performance.now() - started) },
    sent,
  });
  const cache = cacheOf(sender);
  const key = createHash('sha256')
    .update(JSON.stringify([auth.tokenUrl, auth.clientId, auth.clientSecret, auth.scope]))
    .digest('base64url');
  const cached = cache.tokens.get(sub.id);
  const fresh = cached && cached.key === key && cached.expiresAt > ctx.now().getTime() ? cached : null;
  let token = fresh ?? (await fetchOnce(ctx, sender, cache, sub.id, auth, key, headers, left()));
  if (!isToken(token)) return finish(token, headers);
  if (left() <= 0) return finish(outOfTime(sub.timeoutMs), redactedBearer(headers));
  let result = await sender.send(sub.url, withBearer(headers, token.value), body, left());
  // A 401 to a token from the cache: it may have been revoked or expired early. Once: a fresh token
  // (another attempt's, if it already got one) and the same request again.
  if (fresh && result.outcome.kind === 'response' && result.outcome.status === 401) {
    const now = cache.tokens.get(sub.id);
    if (now?.value === fresh.value) cache.tokens.delete(sub.id);
    const newer =
      now && now.value !== fresh.value && now.key === key && now.expiresAt > ctx.now().getTime() ? now : null;
    if (left() <= 0) return finish(result, redactedBearer(headers));
    token = newer ?? (await fetchOnce(ctx, sender, cache, sub.id, auth, key, headers, left()));
    if (!isToken(token)) return finish(token, redactedBearer(headers));
    if (left() <= 0) return finish(outOfTime(sub.timeoutMs), redactedBearer(headers));
    result = await sender.send(sub.url, withBearer(headers, token.value), body, left());
  }
  return finish(result, redactedBearer(headers));
}

/** A token request for this subscription's credentials, shared by every attempt that asks while it runs. */
async function fetchOnce(
  ctx: Ctx,
  sender: Sender,
  cache: TokenCache,
  subscriptionId: string,
  auth: Extract<SealedAuth, { type: 'oauth2' }>,
  key: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<Token | SendResult> {
  const flight = `${subscriptionId}:${key}`;
  let pending = cache.pending.get(flight);
  if (!pending) {
    pending = requestToken(ctx, sender, auth, key, headers['user-agent'], timeoutMs).finally(() =>
      cache.pending.delete(flight),
    );
    cache.pending.set(flight, pending);
    const got = await pending;
    if (isToken(got) && got.expiresAt > ctx.now().getTime()) {
      cache.tokens.delete(subscriptionId);
      cache.tokens.set(subscriptionId, got);
      for (const old of cache.tokens.keys()) {
        if (cache.tokens.size <= MAX_CACHED_TOKENS) break;
        cache.tokens.delete(old);
      }
    }
    return got;
  }
  return pending;
}

/** Bytes of a token endpoint's answer read (a JWT with many claims stays far below). */
const TOKEN_RESPONSE_BYTES = 64 * 1024;
/** How long a token without `expires_in` is kept. */
export const DEFAULT_TOKEN_SECONDS = 300;

async function requestToken(
  ctx: Ctx,
  sender: Sender,
  auth: Extract<SealedAuth, { type: 'oauth2' }>,
  key: string,
  userAgent: string | undefined,
  timeoutMs: number,
): Promise<Token | SendResult> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    ...(auth.scope && { scope: auth.scope }),
  }).toString();
  // RFC 6749 §2.3.1: id and secret form-encoded, then joined for Basic.
  const basic = Buffer.from(`${formEncode(auth.clientId)}:${formEncode(auth.clientSecret)}`).toString('base64');
  const res = await sender.send(
    auth.tokenUrl,
    {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      authorization: `Basic ${basic}`,
      ...(userAgent && { 'user-agent': userAgent }),
    },
    form,
    timeoutMs,
    { responseBytes: TOKEN_RESPONSE_BYTES },
  );
  const where = `the OAuth2 token request to ${describeUrl(auth.tokenUrl)}`;
  const o = res.outcome;
  if (o.kind === 'error')
    return authFailure(
      res,
      o.errorClass === 'blocked_target' ? 'blocked_target' : 'auth',
      `${where} failed: ${o.message}`,
    );
  const parsed = parseTokenResponse(o.status, res.responseBody ?? '');
  if ('problem' in parsed) return authFailure(res, 'auth', `${where} ${parsed.problem}`);
  const lifetimeMs = parsed.expiresInSeconds * 1000;
  // Refreshed shortly before it expires: a tenth of its life before, at most a minute.
  const margin = Math.min(60_000, lifetimeMs / 10);
  return { value: parsed.accessToken, expiresAt: ctx.now().getTime() + lifetimeMs - margin, key };
}

const formEncode = (s: string) => new URLSearchParams({ s }).toString().slice(2);

/** Origin and path only: a query string may hold what should not be in an error message. */
function describeUrl(raw: string): string {
  const u = new URL(raw);
  return `${u.origin}${u.pathname}`;
}

/** The attempt's timeout ran out on the token request: a timeout, like any attempt that outlives it. */
function outOfTime(timeoutMs: number): SendResult {
  return {
    outcome: {
      kind: 'error',
      errorClass: 'timeout',
      message: `no response within ${timeoutMs} ms (the OAuth2 token request took the attempt's time)`,
    },
    responseHeaders: null,
    responseBody: null,
    latencyMs: timeoutMs,
  };
}

function authFailure(res: SendResult, errorClass: string, message: string): SendResult {
  return {
    outcome: { kind: 'error', errorClass, message: storableText(message) },
    responseHeaders: null,
    responseBody: null,
    latencyMs: res.latencyMs,
  };
}

/** RFC 6749 error codes (and what we show of a token type): printable ASCII without `"` and `\`, short. */
const ERROR_CODE = /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/;
/** An access token as it may travel in a header: visible ASCII (RFC 6750 b64token and the common JWT/opaque forms). */
const TOKEN_VALUE = /^[\x21-\x7e]{1,8192}$/;

/**
 * A token endpoint's answer (RFC 6749 §5.1 and §5.2): the token and how long it lives, or what is
 * wrong, in words that never include the token. Pure.
 */
export function parseTokenResponse(
  status: number,
  body: string,
): { accessToken: string; expiresInSeconds: number } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const obj =
    typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
  if (status < 200 || status >= 300) {
    const code = typeof obj?.error === 'string' && ERROR_CODE.test(obj.error) ? ` (${obj.error})` : '';
    return { problem: `was answered HTTP ${status}${code}` };
  }
  if (!obj) return { problem: 'was not answered with a JSON object' };
  const token = obj.access_token;
  if (typeof token !== 'string' || !TOKEN_VALUE.test(token))
    return { problem: 'was answered without a usable access_token' };
  const type = obj.token_type;
  if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'bearer'))
    return {
      problem: `was answered with a token of type ${typeof type === 'string' && ERROR_CODE.test(type) ? `"${type}"` : 'unknown'}, not Bearer`,
    };
  const raw = obj.expires_in;
  const expires =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && /^\d{1,10}$/.test(raw)
        ? Number(raw)
        : raw === undefined
          ? DEFAULT_TOKEN_SECONDS
          : NaN;
  if (!Number.isFinite(expires) || expires < 0)
    return { problem: 'was answered with an expires_in that is not a number of seconds' };
  return { accessToken: token, expiresInSeconds: expires };
}

/** The headers with the bearer token as `authorization` (replacing any other spelling of the name). */
function withBearer(headers: Record<string, string>, token: string): Record<string, string> {
  return { ...withoutAuthorization(headers), authorization: `Bearer ${token}` };
}

function redactedBearer(headers: Record<string, string>): Record<string, string> {
  return { ...withoutAuthorization(headers), authorization: REDACTED };
}

const withoutAuthorization = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
