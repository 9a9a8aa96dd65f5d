import { NextResponse, type NextRequest } from 'next/server';
import { contentSecurityPolicy, strictTransportSecurity } from './server/csp';
import { env } from './server/env';

/**
 * Every page gets a fresh script nonce and the Content-Security-Policy that names it. Next.js reads
 * the policy from the request header and puts the nonce on its own scripts; the root layout reads
 * `x-nonce` for the theme script. (This is why pages render per request.) /api sets its policy in
 * next.config.ts: no nonce needed there, and API bodies pass through untouched.
 */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const e = env();
  const policy = contentSecurityPolicy({ nonce, dev: e.NODE_ENV === 'development' });
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
