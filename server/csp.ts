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
export function contentSecurityPolicy(opts: { nonce?: string; dev?: boolean; embed?: { frameAncestors: readonly string[] } } = {}): string {
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
