'use server';

import { AuthError } from 'next-auth';
import { signIn } from '@/server/auth';
import { formatDuration } from '@/server/domain/wording';

/** What the form shows after a refused sign-in: why, and the email typed (only the password is asked again). */
export type SignInState = { error: string | null; email: string };

export async function signInWithPassword(_prev: SignInState, form: FormData): Promise<SignInState> {
  const typed = form.get('email');
  const email = typeof typed === 'string' ? typed.slice(0, 320) : '';
  try {
    await signIn('password', { email: form.get('email'), password: form.get('password'), redirectTo: '/dashboard' });
    return { error: null, email };
  } catch (err) {
    if (err instanceof AuthError && 'retryAfterSeconds' in err && typeof err.retryAfterSeconds === 'number') {
      return {
        error: `Too many failed sign-in attempts. Try again in ${formatDuration(err.retryAfterSeconds)}.`,
        email,
      };
    }
    if (err instanceof AuthError) return { error: 'Email or password is incorrect.', email };
    throw err; // the redirect after a successful sign-in is thrown too
  }
}
