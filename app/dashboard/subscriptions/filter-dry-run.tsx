'use client';

import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Filter } from '@/server/domain/filters';
import { describeError } from '../../_components/errors';
import { IconBan, IconCheck } from '../../_components/icons';
import { useTRPC } from '../../_components/trpc';

/**
 * Live preview of a subscription being written: which of the customer's last 100 events its
 * patterns, channels and filter would deliver, and why not (POST /subscriptions/test-filter). Runs 400 ms
 * after the last keystroke, only on patterns and a filter that parse.
 */
export function FilterDryRun({
  patterns,
  channels,
  filter,
  ready,
}: {
  patterns: string[];
  channels: string[];
  filter: Filter | null;
  ready: boolean;
}) {
  const trpc = useTRPC();
  const run = useMutation(trpc.subscriptions.testFilter.mutationOptions());
  const key = ready ? JSON.stringify({ patterns, channels, filter }) : null;
  const [settledKey, setSettledKey] = useState<string | null>(null);
  const { mutate } = run;

  useEffect(() => {
    if (key === null) return;
    const t = setTimeout(() => {
      const {
        patterns: eventTypes,
        channels: c,
        filter: f,
      } = JSON.parse(key) as { patterns: string[]; channels: string[]; filter: Filter | null };
      mutate(
        { eventTypes, ...(c.length && { channels: c }), ...(f && { filter: f }) },
        { onSettled: () => setSettledKey(key) },
      );
    }, 400);
    return () => clearTimeout(t);
  }, [key, mutate]);

  const current = key !== null && settledKey === key;
  const data = current ? run.data : undefined;
  return (
    <div
      role="region"
      aria-label="Preview on recent events"
      aria-busy={key !== null && !current}
      className="-mt-2 rounded-md bg-zinc-50 p-3 text-xs text-zinc-600 ring-1 ring-zinc-200 ring-inset dark:bg-zinc-950 dark:text-zinc-400 dark:ring-zinc-800"
    >
      <p aria-live="polite" data-testid="dry-run-summary" className="font-medium text-zinc-800 dark:text-zinc-200">
        {key === null
          ? 'Fix the patterns and the filter to preview them on your recent events.'
          : !current
            ? 'Checking your recent events…'
            : run.error
              ? `Could not preview: ${describeError(run.error)}`
              : data && data.total === 0
                ? 'You have no events yet to try this on.'
                : data
                  ? `${data.matching} of your last ${data.total} events would be delivered`
                  : null}
      </p>
      {data && data.total > 0 && (
        <ul
          className="mt-2 max-h-40 space-y-1 overflow-y-auto"
          aria-label="Recent events and what this subscription would do"
          data-testid="dry-run-events"
        >
          {data.events.slice(0, 20).map((e) => (
            <li key={e.id} className="flex items-start gap-1.5" data-testid="dry-run-event" data-matches={e.matches}>
              {e.matches ? (
                <IconCheck
                  title="Would be delivered"
                  className="mt-px size-3.5 shrink-0 text-emerald-600 dark:text-emerald-400"
                />
              ) : (
                <IconBan title="Would not be delivered" className="mt-px size-3.5 shrink-0 text-zinc-400" />
              )}
              <span className="min-w-0 break-words">
                <code className="font-semibold text-zinc-800 dark:text-zinc-200">{e.type}</code> {e.reason}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
