import type { Metadata } from 'next';
import { notFound, redirect } from 'next/navigation';
import { auth } from '@/server/auth';
import { inboxFor } from '@/server/dev/inbox';
import { env } from '@/server/env';
import { Panel, PageHeader } from '../../_components/panel';
import { Badge } from '../../_components/status';
import { IconCheck, IconX } from '../../_components/icons';
import { DateTime } from '../../_components/time';
import { AutoRefresh } from './refresh';

export const metadata: Metadata = { title: 'Inbox' };
export const dynamic = 'force-dynamic';

/**
 * The development receiver's inbox (server/dev/inbox.ts): the webhooks POST /api/dev/receiver
 * received for this customer's events, newest first, each verified or not. Exists only where the
 * receiver does (DEV_RECEIVER, on under `pnpm dev`).
 */
export default async function InboxPage() {
  if (!env().DEV_RECEIVER) notFound();
  const session = await auth();
  if (!session?.user.customerId) redirect('/login');
  const { entries, unattributed } = inboxFor(session.user.customerId);
  return (
    <>
      <AutoRefresh seconds={2} />
      <PageHeader
        title="Inbox"
        description={
          <>
            Webhooks received by this server&apos;s development receiver, <code>/api/dev/receiver</code>, for your
            events: each signature is checked with the subscription&apos;s signing secret. Kept in memory until the
            server restarts; refreshed every 2 s.
          </>
        }
      />
      <Panel
        title={`${entries.length} received`}
        description={
          unattributed > 0
            ? `${unattributed} other request(s) named no event of any customer and are not shown.`
            : undefined
        }
      >
        {entries.length === 0 ? (
          <p className="px-4 py-8 text-center text-sm text-zinc-500 dark:text-zinc-400">
            Nothing yet. Subscribe an endpoint to <code>/api/dev/receiver</code> on this server and publish an event.
          </p>
        ) : (
          <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {entries.map((e) => (
              <li key={e.seq} data-testid="inbox-entry" className="px-4 py-3">
                <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
                  {e.verified ? (
                    <Badge tone="green" icon={<IconCheck className="size-3" />}>
                      Verified
                    </Badge>
                  ) : (
                    <Badge tone="red" icon={<IconX className="size-3" />} title={e.problem ?? undefined}>
                      Not verified
                    </Badge>
                  )}
                  <span className="font-medium">{e.eventType ?? 'no type'}</span>
                  <code className="text-xs text-zinc-500 dark:text-zinc-400">{e.webhookId ?? 'no webhook-id'}</code>
                  {e.subscriptionId && (
                    <code className="text-xs text-zinc-500 dark:text-zinc-400">{e.subscriptionId}</code>
                  )}
                  <DateTime at={e.receivedAt} className="ml-auto text-xs text-zinc-500 dark:text-zinc-400" />
                </div>
                {e.problem && <p className="mt-1 text-xs text-red-700 dark:text-red-300">{e.problem}</p>}
                <details className="mt-1 text-xs">
                  <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">Headers and body</summary>
                  <pre className="mt-2 overflow-x-auto rounded-md bg-zinc-50 p-2 break-all whitespace-pre-wrap dark:bg-zinc-950">
                    {Object.entries(e.headers)
                      .map(([k, v]) => `${k}: ${v}`)
                      .join('\n')}
                    {'\n\n'}
                    {e.body}
                  </pre>
                </details>
              </li>
            ))}
          </ul>
        )}
      </Panel>
    </>
  );
}
