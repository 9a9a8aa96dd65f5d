'use client';

import { CalendarDate, RelativeTime, useNow } from '../../../_components/time';
import type { Subscription } from '../../_components/types';

/** Days before expiry from which a client certificate shows as expiring (the operational event's horizon too). */
const CERTIFICATE_WARNING_DAYS = 14;

/** How attempts authenticate to the endpoint: never a secret, only what identifies the credentials. */
export function EndpointAuthentication({ auth }: { auth: Subscription['auth'] }) {
  const now = useNow();
  if (!auth) return <>None: the signature only</>;
  if (auth.type === 'oauth2') {
    return (
      <span className="block space-y-0.5" data-testid="subscription-authentication">
        <span className="block">OAuth2 client credentials</span>
        <span className="block font-mono text-xs break-all">
          {auth.clientId} at {auth.tokenUrl}
        </span>
        {auth.scope && <span className="block text-xs text-zinc-600 dark:text-zinc-400">Scope: {auth.scope}</span>}
      </span>
    );
  }
  const msLeft = new Date(auth.notAfter).getTime() - now;
  const state =
    now === 0
      ? 'valid'
      : msLeft <= 0
        ? 'expired'
        : msLeft < CERTIFICATE_WARNING_DAYS * 86400_000
          ? 'expiring'
          : 'valid';
  return (
    <span className="block space-y-0.5" data-testid="subscription-authentication">
      <span className="block">Client certificate (mTLS)</span>
      <span className="block font-mono text-xs break-all">{auth.subject}</span>
      <span
        className={`block text-xs ${state === 'valid' ? 'text-zinc-600 dark:text-zinc-400' : state === 'expired' ? 'font-medium text-red-700 dark:text-red-400' : 'font-medium text-amber-700 dark:text-amber-400'}`}
        data-state={state}
        data-testid="subscription-certificate-expiry"
      >
        {state === 'expired' ? 'Expired' : 'Expires'} <CalendarDate at={auth.notAfter} />
        {state !== 'valid' && now !== 0 && (
          <>
            {' '}
            (<RelativeTime at={auth.notAfter} future />
            ): give it a new certificate
          </>
        )}
      </span>
      <span
        className="block font-mono text-[11px] break-all text-zinc-500 dark:text-zinc-400"
        title="SHA-256 fingerprint"
      >
        {auth.fingerprint}
      </span>
    </span>
  );
}
