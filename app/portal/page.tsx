import type { Metadata } from 'next';
import { PortalLanding } from './_components/landing';

// The token is in this page's URL: no Referer to other sites. (Not `no-referrer`: the form's POST
// must carry its Origin for /portal/continue to accept it.)
export const metadata: Metadata = {
  title: 'Open the dashboard',
  robots: { index: false, follow: false },
  referrer: 'same-origin',
};

/** Portal links (POST /customers/{id}/portal-link) land here; the button signs in (/portal/continue). */
export default async function PortalPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string | string[]; error?: string | string[] }>;
}) {
  const { token, error } = await searchParams;
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <PortalLanding
        token={typeof token === 'string' ? token : ''}
        error={error !== undefined}
        action="/portal/continue"
      />
    </main>
  );
}
