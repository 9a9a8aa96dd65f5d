import { NextResponse, type NextRequest } from 'next/server';
import { isEmbedView } from './server/auth/embed-session';
import { contentSecurityPolicy, strictTransportSecurity } from './server/csp';
import { env } from './server/env';

/**
 * Every page gets a fresh script nonce and the Content-Security-Policy that names it. Next.js reads
 * the policy from the request header and puts the nonce on its own scripts; the root layout reads
 * `x-nonce` for the theme script. (This is why pages render per request.) /api sets its policy in
 * next.config.ts: no nonce needed there, and API bodies pass through untouched. The embedded
 * portal's pages (server/auth/embed-session.ts) may be framed by PORTAL_FRAME_ANCESTORS; no other.
 */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const e = env();
  const embed = isEmbedView(
    request.nextUrl.pathname,
    request.cookies.getAll().map((c) => c.name),
  );
  const policy = contentSecurityPolicy({
    nonce,
    dev: e.NODE_ENV === 'development',
    ...(embed && e.PORTAL_FRAME_ANCESTORS.length > 0 ? { embed: { frameAncestors: e.PORTAL_FRAME_ANCESTORS } } : {}),
  });
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  for (const [name, value] of Object.entries(strictTransportSecurity(e.PUBLIC_URL))) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: [{ source: '/((?!api/|_next/static|_next/image|favicon.ico).*)' }],
};
