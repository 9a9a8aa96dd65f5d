import { AuthError } from 'next-auth';
import { signIn } from '@/server/auth';

/** Portal links land here: the single-use token signs the customer in, then on to the dashboard. */
export async function GET(req: Request) {
  const token = new URL(req.url).searchParams.get('token') ?? '';
  try {
    await signIn('portal', { token, redirectTo: '/dashboard' });
  } catch (err) {
    if (err instanceof AuthError) {
      return new Response('This sign-in link is invalid, expired or already used. Ask for a new one.', { status: 401, headers: { 'content-type': 'text/plain' } });
    }
    throw err;
  }
  return new Response(null, { status: 302, headers: { location: '/dashboard' } });
}
