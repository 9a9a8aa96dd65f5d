import Link from 'next/link';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { dashboardSession, signOutEverywhere } from '@/server/auth';
import { env } from '@/server/env';
import { NavLinks } from '../_components/nav';
import { SessionProvider } from '../_components/session';
import { ThemeToggle } from '../_components/theme-toggle';
import { ToastProvider } from '../_components/toast';
import { ApiProvider } from '../_components/trpc';
import { EmbedView } from './_components/embed-view';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const { kind, session } = await dashboardSession();
  // An embed session that expired goes back to its own (frameable) page, not to the sign-in form.
  if (!session) redirect(kind === 'embed' ? '/portal/embed?error=expired' : '/login');
  if (session.embed) {
    return (
      <ApiProvider>
        <SessionProvider value={{ readOnly: session.readOnly }}>
          <ToastProvider>
            <EmbedView theme={session.embed.theme} readOnly={session.readOnly}>
              {children}
            </EmbedView>
          </ToastProvider>
        </SessionProvider>
      </ApiProvider>
    );
  }
  // Signing out ends every session of this user, not only this browser's cookie.
  async function doSignOut() {
    'use server';
    await signOutEverywhere();
  }
  return (
    <ApiProvider>
      <SessionProvider value={{ readOnly: session.readOnly }}>
        <ToastProvider>
          <div className="min-h-screen">
            <header className="sticky top-0 z-30 border-b border-zinc-200 bg-white/90 backdrop-blur dark:border-zinc-800 dark:bg-zinc-900/90">
              <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 px-4">
                <Link href="/dashboard" className="flex items-center gap-2 py-3 font-semibold tracking-tight">
                  <span
                    aria-hidden
                    className="inline-flex size-6 items-center justify-center rounded-md bg-indigo-600 text-xs font-bold text-white"
                  >
                    H
                  </span>
                  Hookrelay
                </Link>
                <nav aria-label="Main" className="order-last w-full md:order-none md:w-auto">
                  <NavLinks inbox={env().DEV_RECEIVER} />
                </nav>
                <div className="ml-auto flex items-center gap-2 py-2">
                  {session.readOnly && (
                    <span
                      data-testid="read-only-badge"
                      className="rounded-md bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-800 dark:bg-amber-500/15 dark:text-amber-300"
                    >
                      Read-only
                    </span>
                  )}
                  <span
                    className="hidden max-w-48 truncate text-sm text-zinc-500 sm:inline dark:text-zinc-400"
                    data-testid="session-user"
                  >
                    {session.label}
                  </span>
                  <ThemeToggle />
                  <form action={doSignOut}>
                    <button
                      type="submit"
                      className="rounded-md px-2 py-1 text-sm text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-white"
                    >
                      Sign out
                    </button>
                  </form>
                </div>
              </div>
            </header>
            <main className="mx-auto max-w-7xl px-4 py-6 sm:py-8">{children}</main>
          </div>
        </ToastProvider>
      </SessionProvider>
    </ApiProvider>
  );
}
