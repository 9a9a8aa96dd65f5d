'use server';

import { AuthError } from 'next-auth';
import { signIn } from '@/server/auth';

export async function signInWithPassword(_prev: string | null, form: FormData): Promise<string | null> {
  try {
    await signIn('password', { email: form.get('email'), password: form.get('password'), redirectTo: '/dashboard' });
    return null;
  } catch (err) {
    if (err instanceof AuthError && 'retryAfterSeconds' in err && typeof err.retryAfterSeconds === 'number') {
      return `Too many failed sign-in attempts. Try again in ${err.retryAfterSeconds} s.`;
    }
    if (err instanceof AuthError) return 'Email or password is incorrect.';
    throw err; // the redirect after a successful sign-in is thrown too
  }
}
