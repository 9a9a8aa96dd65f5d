/**
 * The embedded portal's session, told apart from the dashboard's by its cookie alone (so that the
 * proxy, which sets each page's Content-Security-Policy, and the pages agree without a lookup).
 *
 * The dashboard's Auth.js cookie is SameSite=Lax: a browser does not send it to a page framed by
 * another site. An embed link (POST /customers/{id}/portal-link with `embed: true`) signs in with
 * a cookie of its own, `SameSite=None; Secure; Partitioned`: sent in a third-party frame, and kept
 * in the partition of the site that framed it (CHIPS), so it is never sent when another site, or
 * Hookrelay itself, is the top-level page. Only embed links make it; their pages alone may be
 * framed, and only by PORTAL_FRAME_ANCESTORS.
 */
export const EMBED_SESSION_COOKIE = 'hookrelay.embed-session';
const DASHBOARD_SESSION_COOKIES = ['authjs.session-token', '__Secure-authjs.session-token'];

/** Auth.js splits a large session into `name.0`, `name.1`, … */
const isCookie = (name: string, base: string) => name === base || name.startsWith(`${base}.`);

/**
 * Which session a request's cookies carry: the dashboard's own wins (a same-site frame sends it, and
 * the full dashboard is never framed), else the embed session's.
 */
export function sessionKind(cookieNames: readonly string[]): 'dashboard' | 'embed' | null {
  if (cookieNames.some((n) => DASHBOARD_SESSION_COOKIES.some((base) => isCookie(n, base)))) return 'dashboard';
  if (cookieNames.some((n) => isCookie(n, EMBED_SESSION_COOKIE))) return 'embed';
  return null;
}

/** The pages of the embedded view: the embed link's landing page, and the dashboard under an embed session. */
export function isEmbedView(pathname: string, cookieNames: readonly string[]): boolean {
  const under = (prefix: string) => pathname === prefix || pathname.startsWith(`${prefix}/`);
  return under('/portal/embed') || (under('/dashboard') && sessionKind(cookieNames) === 'embed');
}
