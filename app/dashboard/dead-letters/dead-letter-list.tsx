'use client';

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '../../_components/button';
import { describeError } from '../../_components/errors';
import { Input } from '../../_components/form';
import { IconReplay, IconSpinner } from '../../_components/icons';
import { Panel } from '../../_components/panel';
import { Pager, useUrlCursorPages } from '../../_components/pagination';
import { useReadOnly } from '../../_components/session';
import { EmptyState, PanelError, TableSkeleton } from '../../_components/states';
import { useToast } from '../../_components/toast';
import { useTRPC } from '../../_components/trpc';
import { DeliveryTable } from '../_components/delivery-table';
import {
  ClearFiltersButton,
  FilterTextForm,
  RangeFilter,
  SubscriptionFilter,
  useTypedFilter,
} from '../_components/filter-bar';
import { ReplayButton } from '../_components/replay-button';
import { useSubscriptionUrls } from '../_components/use-subscription-urls';
import { deadLetterRanges, useDeadLetterFilters, useDeadLetterQuery } from './use-dead-letter-filters';

const noUrls = new Map<string, string>();

/** Subscription, event type and time range: they narrow the list and the scope of "Replay all". */
export function DeadLetterFilterBar() {
  const { filters, set, clear } = useDeadLetterFilters();
  const { problem } = useDeadLetterQuery(filters);
  const [text, setText] = useTypedFilter(filters.type, (type) => set({ type }));
  return (
    <div className="flex flex-wrap items-start gap-3">
      <SubscriptionFilter
        id="dead-sub"
        value={filters.sub}
        onChange={(sub) => set({ sub }, { push: true })}
        className="w-auto sm:max-w-72"
      />
      <FilterTextForm
        id="dead-type"
        label="Event type"
        className="w-full min-w-0 sm:w-56"
        onApply={() => set({ type: text.trim() })}
        problem={{ id: 'dead-type-problem', text: problem }}
      >
        <Input
          id="dead-type"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Event type (order.*)"
          className="font-mono"
          spellCheck={false}
          aria-invalid={!!problem}
          aria-describedby={problem ? 'dead-type-problem' : undefined}
        />
      </FilterTextForm>
      <RangeFilter
        id="dead-range"
        ranges={deadLetterRanges}
        value={filters.range}
        onChange={(range) => set({ range }, { push: true })}
      />
      <ClearFiltersButton filters={filters} clear={clear} clearText={setText} />
    </div>
  );
}

/** One page of dead letters for the page's filters (the first page is live). */
export function useDeadLetterPage(cursor: string | undefined, live: boolean) {
  const trpc = useTRPC();
  const { filters } = useDeadLetterFilters();
  const { input, problem } = useDeadLetterQuery(filters);
  return useQuery({
    ...trpc.deliveries.list.queryOptions({ status: 'dead', limit: 25, cursor, ...input }),
    enabled: !problem,
    refetchInterval: live ? 4000 : false,
    placeholderData: keepPreviousData,
  });
}

/** Replays the picked deliveries, each one now (one request: tRPC batches the calls). */
function ReplaySelected({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const replay = useMutation(trpc.deliveries.replay.mutationOptions());
  const [busy, setBusy] = useState(false);
  return (
    <Button
      variant="primary"
      size="sm"
      disabled={busy || ids.length === 0}
      data-testid="replay-selected"
      onClick={() => {
        setBusy(true);
        void Promise.allSettled(ids.map((id) => replay.mutateAsync({ id })))
          .then(async (results) => {
            const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
            const ok = results.length - failed.length;
            if (ok > 0)
              toast({
                tone: 'success',
                title: `${ok} replay${ok === 1 ? '' : 's'} queued`,
                description: 'Each selected dead letter is sent again now.',
              });
            if (failed.length > 0)
              toast({
                tone: 'error',
                title: `${failed.length} could not be replayed`,
                description: describeError(failed[0]!.reason),
              });
            onDone();
            await Promise.all([
              qc.invalidateQueries({ queryKey: trpc.deliveries.pathKey() }),
              qc.invalidateQueries({ queryKey: trpc.stats.pathKey() }),
            ]);
          })
          .finally(() => setBusy(false));
      }}
    >
      {busy ? <IconSpinner className="size-3.5 animate-spin" /> : <IconReplay className="size-3.5" />}
      Replay selected ({ids.length})
    </Button>
  );
}

export function DeadLetterList() {
  const { filters } = useDeadLetterFilters();
  const { problem } = useDeadLetterQuery(filters);
  const pages = useUrlCursorPages();
  const urls = useSubscriptionUrls();
  const readOnly = useReadOnly();
  const { data, error, refetch } = useDeadLetterPage(pages.cursor, pages.page === 1);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // Only rows still on screen stay picked (a row replayed elsewhere, or another page, drops out).
  const shown = new Set(data?.data.map((d) => d.id) ?? []);
  const picked = [...selected].filter((id) => shown.has(id));
  const filtered = Object.values(filters).some(Boolean);
  return (
    <Panel>
      {problem ? (
        <EmptyState title="Search not run">
          Correct the event type above, or clear it to see every dead letter.
        </EmptyState>
      ) : error ? (
        <PanelError error={error} title="Could not load dead letters" onRetry={() => void refetch()} />
      ) : !data ? (
        <TableSkeleton rows={5} label="Loading dead letters" />
      ) : data.data.length === 0 ? (
        <EmptyState title="No dead letters">
          {filtered
            ? 'None match these filters: every such delivery got through, or was replayed.'
            : 'Every delivery got through, or was replayed. Deliveries land here when all their retries fail.'}
        </EmptyState>
      ) : (
        <>
          {!readOnly && (
            <div className="flex flex-wrap items-center justify-between gap-2 border-b border-zinc-100 px-4 py-2 text-sm dark:border-zinc-800">
              <span className="text-zinc-600 dark:text-zinc-300" aria-live="polite">
                {picked.length === 0 ? 'Select dead letters to replay them together.' : `${picked.length} selected`}
              </span>
              {picked.length > 0 && <ReplaySelected ids={picked} onDone={() => setSelected(new Set())} />}
            </div>
          )}
          <DeliveryTable
            rows={data.data}
            label="Dead letters"
            subscriptions={urls ?? noUrls}
            timeColumn="completed"
            action={(d) => <ReplayButton deliveryId={d.id} status={d.status} />}
            selection={
              readOnly
                ? undefined
                : {
                    selected,
                    toggle: (id) =>
                      setSelected((s) => {
                        const n = new Set(s);
                        if (n.has(id)) n.delete(id);
                        else n.add(id);
                        return n;
                      }),
                    setAll: (ids, on) => setSelected(on ? new Set(ids) : new Set()),
                  }
            }
          />
          <Pager pages={pages} result={data} />
        </>
      )}
    </Panel>
  );
}
