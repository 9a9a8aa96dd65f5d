import { AuthError } from 'next-auth';
import { signIn, signInEmbed } from './index';

/**
 * A portal link's button posts its single-use token here (/portal/continue, /portal/embed/continue):
 * it is consumed, the session cookie is set, and the browser goes on to the dashboard (303, so the
 * redirect is a GET). A token that is invalid, expired, used or of the other kind (an embed link
 * signs in to the embedded view only) sends the browser back to its page, which says so. A post
 * from another site is refused before the token is looked at. In a frame the post comes from our
 * own page inside it, so its Origin is still ours.
 */
export async function continueWithPortalToken(req: Request, opts: { embed: boolean }): Promise<Response> {
  const page = opts.embed ? '/portal/embed' : '/portal';
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
  if (typeof token !== 'string' || token === '') return seeOther(`${page}?error=invalid`);
  try {
    if (opts.embed) await signInEmbed('portal-embed', { token, redirect: false });
    else await signIn('portal', { token, redirect: false });
  } catch (err) {
    if (err instanceof AuthError) return seeOther(`${page}?error=invalid`);
    throw err;
  }
  return seeOther('/dashboard');
}

function seeOther(path: string): Response {
  return new Response(null, { status: 303, headers: { location: path } });
}
