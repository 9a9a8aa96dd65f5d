'use client';

import { useActionState } from 'react';
import { inputClass } from '../_components/form';
import { signInWithPassword } from './actions';

/**
 * After a refused sign-in the form comes back with the email as typed (React resets an action's form
 * to its default values, so the email is its default) and the password empty, focused for the retry.
 */
export function LoginForm() {
  const [state, action, pending] = useActionState(signInWithPassword, { error: null, email: '' });
  return (
    <form action={action} className="space-y-4">
      <div>
        <label htmlFor="login-email" className="mb-1 block text-sm font-medium">
          Email
        </label>
        <input
          id="login-email"
          key={`email-${state.email}`}
          name="email"
          type="email"
          required
          autoComplete="username"
          defaultValue={state.email}
          className={`${inputClass} py-2`}
        />
      </div>
      <div>
        <label htmlFor="login-password" className="mb-1 block text-sm font-medium">
          Password
        </label>
        <input
          id="login-password"
          key={`password-${state.error ?? ''}-${state.email}`}
          name="password"
          type="password"
          required
          autoComplete="current-password"
          autoFocus={state.error !== null}
          aria-invalid={state.error !== null}
          aria-describedby={state.error ? 'login-error' : undefined}
          className={`${inputClass} py-2`}
        />
      </div>
      {state.error && (
        <p
          id="login-error"
          role="alert"
          className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300"
        >
          {state.error}
        </p>
      )}
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 disabled:opacity-60"
      >
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
