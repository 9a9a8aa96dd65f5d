/**
 * The Content-Security-Policy of every response: scripts only from our own origin, never a third
 * party's. Pages (proxy.ts) allow Next.js's inline bootstrap scripts by a per-request nonce
 * ('strict-dynamic' lets those scripts load the page's chunks); /api responses (next.config.ts),
 * the API reference included, have no inline script at all. Styles may be inline: React renders
 * style attributes and the API reference injects its stylesheet at run time.
 *
 * No page may be framed, except the embedded portal's (`embed`): those name the origins of
 * PORTAL_FRAME_ANCESTORS, and admit https images (the logo of the link's theme).
 */
export function contentSecurityPolicy(
  opts: { nonce?: string; dev?: boolean; embed?: { frameAncestors: readonly string[] } } = {},
): string {
  const script = opts.nonce ? ["'self'", `'nonce-${opts.nonce}'`, "'strict-dynamic'"] : ["'self'"];
  // React's development build evaluates server error stacks; production never needs eval.
  if (opts.dev) script.push("'unsafe-eval'");
  return [
    "default-src 'self'",
    `script-src ${script.join(' ')}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${opts.embed ? ' https:' : ''}`,
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${opts.embed?.frameAncestors.length ? opts.embed.frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}

/**
 * Headers every response carries (next.config.ts sets them on all paths, static files included):
 * no MIME sniffing (a stored body is never run as script or style because of its bytes), and a
 * referrer that names only our origin to other sites, never a dashboard path with ids in it.
 */
export const STATIC_SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
} as const;

/**
 * Strict-Transport-Security, when the deployment's PUBLIC_URL is https: browsers then refuse plain
 * http to this host for a year. Not includeSubDomains: other hosts under the operator's domain are
 * theirs to decide. Set at run time (proxy.ts for pages, the API doors for theirs), since PUBLIC_URL
 * is a run-time setting and next.config.ts headers are fixed at build.
 */
export function strictTransportSecurity(publicUrl: string | undefined): Record<string, string> {
  return publicUrl?.startsWith('https:') ? { 'strict-transport-security': 'max-age=31536000' } : {};
}

/**
 * The headers of an API answer: HSTS as above, and `Cache-Control: no-store`, since answers carry
 * a customer's data (and secrets, once) and must not be kept by a browser or a shared cache.
 */
export function apiResponseHeaders(res: Response, publicUrl: string | undefined): Response {
  res.headers.set('cache-control', 'no-store');
  for (const [name, value] of Object.entries(strictTransportSecurity(publicUrl))) res.headers.set(name, value);
  return res;
}
