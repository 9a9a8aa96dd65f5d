import { AuthError } from 'next-auth';
import { signIn } from '@/server/auth';

/**
 * The portal page's button posts the single-use token here: it is consumed, the session cookie is
 * set, and the browser goes on to the dashboard (303, so the redirect is a GET). A token that is
 * invalid, expired or used sends the browser back to the page, which says so.
 */
export async function POST(req: Request): Promise<Response> {
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
