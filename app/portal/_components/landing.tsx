const invalid = 'This sign-in link is invalid, expired or already used. Ask for a new one.';

/**
 * A portal link's page: opening it consumes nothing (link scanners and previews fetch it too). The
 * single-use token is spent only when the person presses the button, which POSTs it to `action`
 * (a plain form: it works without JavaScript, and inside a frame).
 */
export function PortalLanding({ token, error, action }: { token: string; error: boolean; action: string }) {
  return (
    <div className="w-full max-w-sm rounded-xl border border-zinc-200 bg-white p-8 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
      <h1 className="mb-1 text-xl font-semibold">Hookrelay</h1>
      {error || token === '' ? (
        <p
          role="alert"
          className="mt-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300"
        >
          {invalid}
        </p>
      ) : (
        <form method="post" action={action} className="mt-4 space-y-4">
          <p className="text-sm text-zinc-500 dark:text-zinc-400">
            This link signs you in to your webhook dashboard. It works once.
          </p>
          <input type="hidden" name="token" value={token} />
          <button
            type="submit"
            className="w-full rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-500"
          >
            Continue to dashboard
          </button>
        </form>
      )}
    </div>
  );
}
