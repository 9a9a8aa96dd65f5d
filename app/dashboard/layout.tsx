import Link from 'next/link';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { auth, signOut } from '@/server/auth';
import { ApiProvider } from '../_components/trpc';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const session = await auth();
  if (!session?.user.customerId) redirect('/login');
  async function doSignOut() {
    'use server';
    await signOut({ redirectTo: '/login' });
  }
  return (
    <ApiProvider>
      <div className="min-h-screen">
        <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <nav className="mx-auto flex max-w-7xl items-center gap-6 px-4 py-3" aria-label="Main">
            <Link href="/dashboard" className="font-semibold tracking-tight">
              Hookrelay
            </Link>
            <Link href="/dashboard" className="text-sm text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white">
              Deliveries
            </Link>
            <span className="ml-auto text-sm text-zinc-500" data-testid="session-user">
              {session.user.email ?? session.user.name}
              {session.user.readOnly && <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-800 dark:bg-amber-900 dark:text-amber-200">read-only</span>}
            </span>
            <form action={doSignOut}>
              <button type="submit" className="text-sm text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white">
                Sign out
              </button>
            </form>
          </nav>
        </header>
        <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
      </div>
    </ApiProvider>
  );
}
