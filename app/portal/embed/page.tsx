import type { Metadata } from 'next';
import { env } from '@/server/env';
import { EmbedResizer } from '../../_components/embed-resizer';
import { PortalLanding } from '../_components/landing';

export const metadata: Metadata = {
  title: 'Open the dashboard',
  robots: { index: false, follow: false },
  referrer: 'same-origin',
};

/**
 * Embed links (`embed: true`) land here, in the platform's <iframe>: only PORTAL_FRAME_ANCESTORS may
 * frame this page (proxy.ts). The button signs in to the embedded view (/portal/embed/continue). An
 * embed session that has expired comes back here too. No `min-h-screen`: the frame takes its height
 * from the content (EmbedResizer).
 */
export default async function EmbedPortalPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string | string[]; error?: string | string[] }>;
}) {
  const { token, error } = await searchParams;
  return (
    <main id="hookrelay-embed" className="flex justify-center px-4 py-8">
      <PortalLanding
        token={typeof token === 'string' ? token : ''}
        error={error !== undefined}
        action="/portal/embed/continue"
      />
      <EmbedResizer targetId="hookrelay-embed" origins={env().PORTAL_FRAME_ANCESTORS} />
    </main>
  );
}
