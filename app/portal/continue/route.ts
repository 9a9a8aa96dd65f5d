import { AuthError } from 'next-auth';
import { signIn } from '@/server/auth';
import { withFormLimit } from '@/server/api/body';

/**
 * The portal page's button posts the single-use token here: it is consumed, the session cookie is
 * set, and the browser goes on to the dashboard (303, so the redirect is a GET). A token that is
 * invalid, expired or used sends the browser back to the page, which says so. A post from another
 * site is refused before the token is looked at. A token is a few dozen bytes: a post above 16 KiB is
 * a 413, not read whole.
 */
export const POST = withFormLimit(continueWithToken);

async function continueWithToken(req: Request): Promise<Response> {
  // Only our own page may post here (as for server actions): another site must not sign a visitor
  // in to a dashboard of its choosing with a token of its own.
  const origin = req.headers.get('origin');
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  if (origin !== null && (origin === 'null' || new URL(origin).host !== host)) {
    return new Response('Cross-site request refused.', { status: 403, headers: { 'content-type': 'text/plain' } });
  }
  let token: unknown = null;
  try {
    token = (await req.formData()).get('token');
  } catch {
    // not a form: treated as a missing token
  }
  if (typeof token !== 'string' || token === '') return seeOther('/portal?error=invalid');
  try {
    await signIn('portal', { token, redirect: false });
  } catch (err) {
    if (err instanceof AuthError) return seeOther('/portal?error=invalid');
    throw err;
  }
  return seeOther('/dashboard');
}

function seeOther(path: string): Response {
  return new Response(null, { status: 303, headers: { location: path } });
}
