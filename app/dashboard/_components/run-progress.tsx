'use client';

import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { useEffect, type ReactNode } from 'react';
import type { AppRouter } from '@/server/api/root';
import { Button } from '../../_components/button';
import { describeError } from '../../_components/errors';
import { formatCount } from '../../_components/format';
import { IconCheck, IconSpinner, IconX } from '../../_components/icons';
import { useReadOnly } from '../../_components/session';
import { Badge } from '../../_components/status';
import { useToast } from '../../_components/toast';
import { useTRPC } from '../../_components/trpc';

/**
 * A bulk run: a replay of dead letters ("Replay all") or a backfill of past events ("Send past
 * events"). Both are paced jobs of the same kind, cancelled alike, and shown by the same card.
 */
export type Run = inferRouterOutputs<AppRouter>['replays']['get'];

/** A run is shown while it runs, while what it sent is in flight, and for a while after. */
const RECENT_MS = 10 * 60_000;
const isLive = (r: Run) => r.status === 'running' || r.inFlight > 0;

/** How often to ask again for a list of runs: every second while one is live, else every 15 s (not after an error). */
export function runsPollInterval(state: { error: unknown; data?: { data: Run[] } }) {
  return state.error ? false : state.data?.data.some(isLive) ? 1000 : 15_000;
}

/** The latest run of a list, while it is worth showing. */
export function recentRun<R extends Run>(runs: R[] | undefined): R | null {
  const latest = runs?.[0];
  if (!latest) return null;
  const recent = isLive(latest) || Date.now() - new Date(latest.finishedAt ?? latest.createdAt).getTime() < RECENT_MS;
  return recent ? latest : null;
}

type RunFigure = { label: string; value: number; testId: string; dot?: string };

/** Live progress of one run: its state, a bar, its figures, and a cancel button while it runs. */
export function RunProgressCard({
  run: r,
  label,
  testId,
  className,
  heading,
  statusWords,
  meta,
  cancel,
  progress,
  figures,
  columns,
}: {
  run: Run;
  /** The section's accessible name. */
  label: string;
  testId: string;
  /** Classes before the card's own (its place on the page). */
  className?: string;
  heading: string;
  /** The badge's word while it runs, and once all it sent has landed. */
  statusWords: { running: string; done: string };
  /** The line under the heading: its id, what it covers, when it started. */
  meta: ReactNode;
  /** The button's words, the toast once cancelled, and the list to read again. */
  cancel: { label: string; title: string; description: string; refresh: QueryKey };
  /** The bar: its words, and what was handled so far (drawn behind the delivered and the failed). */
  progress: { label: string; now: number; text: string; handled: number };
  figures: RunFigure[];
  /** The figures' columns from the small breakpoint on (`sm:grid-cols-…`). */
  columns: string;
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const readOnly = useReadOnly();
  const cancelRun = useMutation(
    trpc.replays.cancel.mutationOptions({
      onSuccess: async () => {
        toast({ tone: 'success', title: cancel.title, description: cancel.description });
        await qc.invalidateQueries({ queryKey: cancel.refresh });
      },
      onError: (err) => toast({ tone: 'error', title: 'Could not cancel', description: describeError(err) }),
    }),
  );
  // As what it sends lands, the deliveries on the page follow without waiting for their own poll.
  useEffect(() => {
    void qc.invalidateQueries({ queryKey: trpc.deliveries.list.pathKey() });
  }, [qc, trpc, r.enqueued, r.delivered, r.failed]);
  const pct = (n: number) => (r.total > 0 ? `${Math.min(100, (n / r.total) * 100)}%` : '0%');
  const card = 'rounded-xl border border-zinc-200 bg-white p-4 shadow-xs dark:border-zinc-800 dark:bg-zinc-900';
  return (
    <section aria-label={label} data-testid={testId} className={className ? `${className} ${card}` : card}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 className="flex flex-wrap items-center gap-2 text-sm font-semibold">
            {heading}
            <RunStatus run={r} words={statusWords} />
          </h2>
          <p className="mt-0.5 text-xs text-zinc-500 dark:text-zinc-400">{meta}</p>
        </div>
        {r.status === 'running' && !readOnly && (
          <Button
            size="sm"
            variant="secondary"
            onClick={() => cancelRun.mutate({ id: r.id })}
            disabled={cancelRun.isPending}
          >
            <IconX className="size-3.5" /> {cancel.label}
          </Button>
        )}
      </div>
      <div
        role="progressbar"
        aria-label={progress.label}
        aria-valuemin={0}
        aria-valuemax={r.total}
        aria-valuenow={progress.now}
        aria-valuetext={progress.text}
        className="relative mt-4 flex h-2.5 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800"
      >
        {/* Handled so far, behind the outcomes. */}
        <div
          className="absolute inset-y-0 left-0 bg-sky-200 transition-[width] duration-500 dark:bg-sky-900"
          style={{ width: pct(progress.handled) }}
        />
        <div className="relative bg-emerald-500 transition-[width] duration-500" style={{ width: pct(r.delivered) }} />
        <div className="relative bg-red-500 transition-[width] duration-500" style={{ width: pct(r.failed) }} />
      </div>
      <dl className={`mt-3 grid grid-cols-2 gap-x-6 gap-y-2 text-sm ${columns}`}>
        {figures.map((f) => (
          <div key={f.label}>
            <dt className="flex items-center gap-1.5 text-xs text-zinc-500 dark:text-zinc-400">
              {f.dot && <span className={`size-2 rounded-sm ${f.dot}`} aria-hidden />}
              {f.label}
            </dt>
            <dd className="font-semibold tabular-nums" data-testid={f.testId}>
              {formatCount(f.value)}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function RunStatus({ run: r, words }: { run: Run; words: { running: string; done: string } }) {
  if (r.status === 'running')
    return (
      <Badge tone="blue" icon={<IconSpinner className="size-3 animate-spin" />}>
        {words.running}
      </Badge>
    );
  if (r.status === 'cancelled')
    return (
      <Badge tone="zinc" icon={<IconX className="size-3" />}>
        Cancelled
      </Badge>
    );
  if (r.inFlight > 0)
    return (
      <Badge tone="blue" icon={<IconSpinner className="size-3 animate-spin" />}>
        Delivering
      </Badge>
    );
  return (
    <Badge tone={r.failed > 0 ? 'amber' : 'green'} icon={<IconCheck className="size-3" />}>
      {words.done}
    </Badge>
  );
}
