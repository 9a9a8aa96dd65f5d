'use client';

import { useActionState } from 'react';
import { signInWithPassword } from './actions';

export function LoginForm() {
  const [error, action, pending] = useActionState(signInWithPassword, null);
  return (
    <form action={action} className="space-y-4">
      <label className="block text-sm font-medium">
        Email
        <input name="email" type="email" required autoComplete="username" className="mt-1 block w-full rounded-md border border-zinc-300 bg-transparent px-3 py-2 text-sm focus:outline-2 focus:outline-indigo-500 dark:border-zinc-700" />
      </label>
      <label className="block text-sm font-medium">
        Password
        <input name="password" type="password" required autoComplete="current-password" className="mt-1 block w-full rounded-md border border-zinc-300 bg-transparent px-3 py-2 text-sm focus:outline-2 focus:outline-indigo-500 dark:border-zinc-700" />
      </label>
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
          {error}
        </p>
      )}
      <button type="submit" disabled={pending} className="w-full rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
