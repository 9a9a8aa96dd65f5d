import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { accentVariables } from '@/server/domain/tenants/portal-theme';
import { type PortalTheme } from '@/drizzle/schema/values';
import { env } from '@/server/env';
import { EmbedResizer } from '../../_components/embed-resizer';

/**
 * The dashboard as an embed link shows it, inside the platform's own app: no navigation or sign-out
 * (the host app has its own), the link's theme, and the content's height posted to the framing page.
 * The theme was validated when the link was made; accentVariables admits a `#rrggbb` only, and the
 * logo is an https URL that React puts in an attribute.
 */
export async function EmbedView({
  theme,
  readOnly,
  children,
}: {
  theme: PortalTheme;
  readOnly: boolean;
  children: ReactNode;
}) {
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  const accent = Object.entries(accentVariables(theme.accentColor))
    .map(([k, v]) => `${k}:${v}`)
    .join(';');
  const scheme = theme.colorScheme ?? 'system';
  // Runs before the content paints, after the root layout's theme script: the link's scheme wins
  // over the viewer's stored choice, also when the system's changes.
  const schemeScript = `try{var m=${JSON.stringify(scheme)},q=matchMedia('(prefers-color-scheme: dark)'),c=document.documentElement.classList,a=function(){c.toggle('dark',m==='dark'||(m==='system'&&q.matches));c.toggle('light',m==='light')};a();q.addEventListener('change',a)}catch(e){}`;
  return (
    <div id="hookrelay-embed" data-testid="embed-view" className="mx-auto max-w-7xl px-4 py-4">
      {accent !== '' && <style dangerouslySetInnerHTML={{ __html: `:root{${accent}}` }} />}
      <script nonce={nonce} dangerouslySetInnerHTML={{ __html: schemeScript }} />
      {(theme.logoUrl !== undefined || readOnly) && (
        <div className="mb-4 flex items-center gap-3">
          {theme.logoUrl !== undefined && (
            <img
              src={theme.logoUrl}
              alt=""
              referrerPolicy="no-referrer"
              className="h-8 w-auto"
              data-testid="embed-logo"
            />
          )}
          {readOnly && (
            <span
              data-testid="read-only-badge"
              className="rounded-md bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-800 dark:bg-amber-500/15 dark:text-amber-300"
            >
              Read-only
            </span>
          )}
        </div>
      )}
      <main>{children}</main>
      <EmbedResizer targetId="hookrelay-embed" origins={env().PORTAL_FRAME_ANCESTORS} />
    </div>
  );
}
