import type { Metadata } from 'next';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in' };

export default function LoginPage() {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-xl border border-zinc-200 bg-white p-8 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <h1 className="mb-1 text-xl font-semibold">Sign in to Hookrelay</h1>
        <p className="mb-6 text-sm text-zinc-500 dark:text-zinc-400">Your webhook deliveries, attempts and replays.</p>
        <LoginForm />
      </div>
    </main>
  );
}
