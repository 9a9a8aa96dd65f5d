import type { Metadata } from 'next';

// The token is in this page's URL: no Referer to other sites. (Not `no-referrer`: the form's POST
// must carry its Origin for /portal/continue to accept it.)
export const metadata: Metadata = { title: 'Open the dashboard', robots: { index: false, follow: false }, referrer: 'same-origin' };

const invalid = 'This sign-in link is invalid, expired or already used. Ask for a new one.';

/**
 * Portal links (POST /customers/{id}/portal-link) land here. Opening the link consumes nothing: link
 * scanners and previews fetch it too. The single-use token is spent only when the person presses
 * the button, which POSTs it to /portal/continue (a plain form: it works without JavaScript).
 */
export default async function PortalPage({ searchParams }: { searchParams: Promise<{ token?: string | string[]; error?: string | string[] }> }) {
  const { token, error } = await searchParams;
  const value = typeof token === 'string' ? token : '';
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-xl border border-zinc-200 bg-white p-8 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <h1 className="mb-1 text-xl font-semibold">Hookrelay</h1>
        {error !== undefined || value === '' ? (
          <p role="alert" className="mt-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
            {invalid}
          </p>
        ) : (
          <form method="post" action="/portal/continue" className="mt-4 space-y-4">
            <p className="text-sm text-zinc-500 dark:text-zinc-400">This link signs you in to your webhook dashboard. It works once.</p>
            <input type="hidden" name="token" value={value} />
            <button type="submit" className="w-full rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-500">
              Continue to dashboard
            </button>
          </form>
        )}
      </div>
    </main>
  );
}
