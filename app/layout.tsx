import type { Metadata } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Hookrelay', template: '%s · Hookrelay' },
  description: 'Webhook delivery dashboard',
};

/**
 * Dark mode follows the system unless the user picked one (stored in localStorage, applied before
 * paint), also when the system switches while the page is open (e.g. at sunset).
 */
const themeScript = `try{var q=matchMedia('(prefers-color-scheme: dark)'),c=document.documentElement.classList,a=function(){var t=null;try{t=localStorage.getItem('theme')}catch(e){}c.toggle('dark',t?t==='dark':q.matches);c.toggle('light',t==='light')};a();q.addEventListener('change',a)}catch(e){}`;

/** The nonce comes from proxy.ts (the page's Content-Security-Policy allows no other inline script). */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen bg-zinc-50 text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        {children}
      </body>
    </html>
  );
}
