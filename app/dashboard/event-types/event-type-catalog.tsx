'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { CodeBlock } from '../../_components/code';
import { CopyButton } from '../../_components/copy-button';
import { Input } from '../../_components/form';
import { Panel } from '../../_components/panel';
import { EmptyState, ErrorState, TableSkeleton } from '../../_components/states';
import { useTRPC } from '../../_components/trpc';
import type { EventType } from '../_components/types';

/** The delivered body an example's `data` would arrive in (what a receiver parses). */
function examplePayload(t: EventType): string {
  return JSON.stringify(
    { id: 'evt_01JZ3K8Q9V7W2X4Y6A8B0C2D4E', type: t.name, timestamp: '2026-01-01T12:00:00.000Z', data: t.example },
    null,
    2,
  );
}

/** The event-type catalog (GET /event-types), read-only for customers: name, description, schema, example payload. */
export function EventTypeCatalog() {
  const trpc = useTRPC();
  const [search, setSearch] = useState('');
  const { data, error, refetch } = useQuery(trpc.eventTypes.list.queryOptions({ limit: 200 }));
  if (error) return <ErrorState error={error} title="Could not load the event types" onRetry={() => void refetch()} />;
  if (!data) return <TableSkeleton rows={4} label="Loading event types" />;
  if (data.data.length === 0) {
    return (
      <Panel>
        <EmptyState title="No event types listed yet">
          The platform has not described its event types. You can still subscribe to any type by name or pattern.
        </EmptyState>
      </Panel>
    );
  }
  const q = search.trim().toLowerCase();
  const shown = q
    ? data.data.filter((t) => t.name.toLowerCase().includes(q) || (t.description ?? '').toLowerCase().includes(q))
    : data.data;
  return (
    <div className="space-y-4">
      <div className="max-w-sm">
        <label htmlFor="event-type-search" className="sr-only">
          Search event types
        </label>
        <Input
          id="event-type-search"
          type="search"
          placeholder="Search by name or description"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      {shown.length === 0 && (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">No event type matches “{search}”.</p>
      )}
      <ul className="space-y-4" aria-label="Event types">
        {shown.map((t) => (
          <li key={t.name} data-testid="event-type">
            <Panel
              title={
                <span className="flex flex-wrap items-center gap-2">
                  <code className="font-mono text-[0.9375rem]">{t.name}</code>
                  <CopyButton text={t.name} label={`Copy ${t.name}`} iconOnly />
                </span>
              }
              description={t.description ?? 'No description.'}
              actions={
                <span
                  className={`rounded-md px-1.5 py-0.5 text-xs font-medium ${t.schema ? 'bg-indigo-50 text-indigo-700 dark:bg-indigo-500/10 dark:text-indigo-300' : 'bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400'}`}
                >
                  {t.schema ? 'Schema-checked' : 'No schema'}
                </span>
              }
            >
              {(t.schema !== null || t.example !== null) && (
                <div className="grid gap-4 p-4 lg:grid-cols-2">
                  {t.schema !== null && (
                    <div className="min-w-0">
                      <h3 className="mb-1.5 text-xs font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">
                        Schema of data
                      </h3>
                      <CodeBlock label={`Schema of ${t.name}`} maxHeight="max-h-72" testId="event-type-schema">
                        {JSON.stringify(t.schema, null, 2)}
                      </CodeBlock>
                    </div>
                  )}
                  {t.example !== null && (
                    <div className="min-w-0">
                      <h3 className="mb-1.5 text-xs font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">
                        Example payload
                      </h3>
                      <CodeBlock
                        label={`Example payload of ${t.name}`}
                        maxHeight="max-h-72"
                        testId="event-type-example"
                      >
                        {examplePayload(t)}
                      </CodeBlock>
                    </div>
                  )}
                </div>
              )}
            </Panel>
          </li>
        ))}
      </ul>
    </div>
  );
}
