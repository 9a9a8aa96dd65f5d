'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '../../_components/button';
import { Panel } from '../../_components/panel';
import { EmptyState, PanelError, TableSkeleton } from '../../_components/states';
import { Table, TBody, Td, Th, THead, Tr } from '../../_components/table';
import { DateTime, isTimestamp, TextWithTimes } from '../../_components/time';
import { useTRPC } from '../../_components/trpc';

const actions = [
  'subscription.created',
  'subscription.updated',
  'subscription.paused',
  'subscription.resumed',
  'subscription.resumed_discarding_held',
  'subscription.deleted',
  'subscription.secret_revealed',
  'subscription.secret_rotated',
  'subscription.probe_requested',
  'subscription.disabled',
  'api_key.created',
  'api_key.revoked',
  'portal_link.created',
  'bulk_replay.created',
  'bulk_replay.cancelled',
  'backfill.started',
  'backfill.cancelled',
  'user.created',
  'user.password_changed',
  'customer.created',
];

/** The customer's audit log, newest first, filterable by action, in cursor pages (older / newer). */
export function AuditLog() {
  const trpc = useTRPC();
  const [action, setAction] = useState('');
  // The cursors of the pages before this one: "Newer" pops back to the previous page.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const query = useQuery(
    trpc.audit.log.queryOptions({ limit: 50, ...(action && { action }), ...(cursor && { cursor }) }),
  );
  const rows = query.data?.data ?? [];
  return (
    <Panel
      title="Changes"
      actions={
        <label className="flex items-center gap-2 text-sm">
          <span className="text-zinc-500 dark:text-zinc-400">Action</span>
          <select
            value={action}
            onChange={(e) => {
              setAction(e.target.value);
              setCursors([]);
            }}
            data-testid="audit-action-filter"
            className="h-9 rounded-md border border-zinc-300 bg-white px-2 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          >
            <option value="">All actions</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
      }
    >
      {query.error ? (
        <PanelError error={query.error} title="Could not load the audit log" onRetry={() => void query.refetch()} />
      ) : !query.data ? (
        <TableSkeleton rows={5} label="Loading the audit log" />
      ) : rows.length === 0 ? (
        <EmptyState title="No changes recorded">
          {action ? 'Nothing with this action yet.' : 'Changes to subscriptions, API keys and replays appear here.'}
        </EmptyState>
      ) : (
        <>
          <Table label="Audit log">
            <THead>
              <tr>
                <Th>When</Th>
                <Th>Who</Th>
                <Th>Action</Th>
                <Th>Object</Th>
                <Th>Change</Th>
              </tr>
            </THead>
            <TBody>
              {rows.map((e) => (
                <Tr key={e.id} testId="audit-row">
                  <Td wide className="whitespace-nowrap">
                    <DateTime at={e.createdAt} />
                  </Td>
                  <Td wide>
                    <span className="block text-xs text-zinc-500 dark:text-zinc-400">
                      {actorLabel[e.actor.kind] ?? e.actor.kind}
                    </span>
                    <span className="font-mono text-xs">{e.actor.id ?? '—'}</span>
                    {e.actor.ip && (
                      <span className="block font-mono text-xs text-zinc-500 dark:text-zinc-400">{e.actor.ip}</span>
                    )}
                  </Td>
                  <Td wide>
                    <code className="text-xs">{e.action}</code>
                  </Td>
                  <Td wide className="font-mono text-xs break-all">
                    {e.target.id}
                  </Td>
                  <Td wide className="max-w-md">
                    <Change before={e.before} after={e.after} />
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          {(cursors.length > 0 || query.data.nextCursor) && (
            <div className="flex justify-between border-t border-zinc-100 p-3 dark:border-zinc-800">
              <Button onClick={() => setCursors((c) => c.slice(0, -1))} disabled={cursors.length === 0}>
                ← Newer
              </Button>
              <Button
                onClick={() => setCursors((c) => [...c, query.data.nextCursor!])}
                disabled={!query.data.nextCursor}
              >
                Older →
              </Button>
            </div>
          )}
        </>
      )}
    </Panel>
  );
}

function Change({ before, after }: { before: unknown; after: unknown }) {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  if (keys.length === 0) return <span className="text-zinc-400">—</span>;
  // Times (`updatedAt`, a reason that names one) in the viewer's zone, like the rest of the dashboard.
  const show = (v: unknown) =>
    v === undefined ? (
      '—'
    ) : typeof v === 'string' && isTimestamp(v) ? (
      <DateTime at={v} />
    ) : (
      <TextWithTimes text={JSON.stringify(v)} />
    );
  return (
    <ul className="space-y-0.5 text-xs">
      {keys.map((k) => (
        <li key={k} className="break-all">
          <span className="font-medium">{k}</span>:{' '}
          {before ? <span className="text-zinc-500 line-through dark:text-zinc-400">{show(b[k])}</span> : null}{' '}
          {show(a[k])}
        </li>
      ))}
    </ul>
  );
}

/** Who acted, in words: `system` is Hookrelay itself (e.g. a subscription disabled after a 410). */
const actorLabel: Record<string, string> = {
  user: 'Dashboard user',
  api_key: 'API key',
  platform: 'Platform',
  system: 'Hookrelay',
};
