'use client';

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { useEffect, useState } from 'react';
import type { AppRouter } from '@/server/api/root';
import { Button } from '../../../_components/button';
import { Mono } from '../../../_components/code';
import { Dialog } from '../../../_components/dialog';
import { describeError, fieldErrors } from '../../../_components/errors';
import { Field, Input } from '../../../_components/form';
import { formatCount } from '../../../_components/format';
import { IconCheck, IconClock, IconSpinner, IconX } from '../../../_components/icons';
import { useReadOnly } from '../../../_components/session';
import { Badge } from '../../../_components/status';
import { formatFull, RelativeTime } from '../../../_components/time';
import { useToast } from '../../../_components/toast';
import { useTRPC } from '../../../_components/trpc';
import type { Subscription } from '../../_components/types';

/**
 * "Send past events" (a backfill): the retained events of a time range that this subscription
 * matches today and never received, sent to it in one paced job. The form shows how many would be
 * sent before anything is; the subscription's page then shows the backfill's progress, like a bulk
 * replay's on the dead-letter page.
 */
type Backfill = inferRouterOutputs<AppRouter>['subscriptions']['backfills']['data'][number];

/** A backfill is shown while it runs, while what it sent is in flight, and for a while after. */
const RECENT_MS = 10 * 60_000;
const isLive = (b: Backfill) => b.status === 'running' || b.inFlight > 0;

/** `datetime-local` wants "YYYY-MM-DDTHH:mm" in the viewer's zone. */
function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The form's range as the API takes it, or why it is not one yet. */
function rangeOf(from: string, to: string, eventTypes: string): { input: { from: string; to?: string; eventTypes?: string[] } } | { problem: string } {
  const start = new Date(from);
  if (!from || Number.isNaN(start.getTime())) return { problem: 'Pick the first moment to send events from.' };
  if (start.getTime() >= Date.now()) return { problem: 'Pick a moment in the past.' };
  const end = to ? new Date(to) : null;
  if (end && Number.isNaN(end.getTime())) return { problem: 'Pick a valid end, or leave it empty for now.' };
  if (end && end.getTime() <= start.getTime()) return { problem: 'The end must be after the start.' };
  const types = eventTypes
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return { input: { from: start.toISOString(), ...(end && { to: end.toISOString() }), ...(types.length && { eventTypes: types }) } };
}

/** The same value, once it has stopped changing for `ms`. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

function useBackfills(id: string) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.subscriptions.backfills.queryOptions({ id, limit: 1 }),
    refetchInterval: (q) => (q.state.error ? false : q.state.data?.data.some(isLive) ? 1000 : 15_000),
  });
}

/** The action: opens the form. Not in a read-only session. */
export function SendPastEventsButton({ sub }: { sub: Subscription }) {
  const readOnly = useReadOnly();
  const [open, setOpen] = useState(false);
  const latest = useBackfills(sub.id).data?.data[0];
  const running = latest?.status === 'running';
  if (readOnly) return null;
  return (
    <>
      <Button
        onClick={() => setOpen(true)}
        disabled={running || !sub.active}
        title={running ? 'A backfill of this subscription is running' : !sub.active ? 'Resume the subscription to send it past events' : undefined}
      >
        <IconClock className="size-4" /> Send past events
      </Button>
      {open && <SendPastEventsDialog sub={sub} onClose={() => setOpen(false)} />}
    </>
  );
}

function SendPastEventsDialog({ sub, onClose }: { sub: Subscription; onClose: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const [from, setFrom] = useState(() => toLocalInput(new Date(Date.now() - 24 * 3600_000)));
  const [to, setTo] = useState('');
  const [eventTypes, setEventTypes] = useState('');
  const [error, setError] = useState<{ field: string; message: string } | null>(null);
  const range = rangeOf(from, to, eventTypes);
  const settled = useSettled('input' in range ? JSON.stringify(range.input) : null, 300);
  const input = settled ? (JSON.parse(settled) as { from: string; to?: string; eventTypes?: string[] }) : null;
  const preview = useQuery({
    ...trpc.subscriptions.backfillPreview.queryOptions({
      id: sub.id,
      from: input?.from ?? '',
      ...(input?.to && { to: input.to }),
      ...(input?.eventTypes && { eventTypes: input.eventTypes.join(',') }),
    }),
    enabled: !!input,
    retry: false,
    placeholderData: keepPreviousData,
  });
  const start = useMutation(
    trpc.subscriptions.backfill.mutationOptions({
      onSuccess: async (b) => {
        await qc.invalidateQueries({ queryKey: trpc.subscriptions.backfills.pathKey() });
        toast({
          tone: 'success',
          title: b.total === 0 ? 'Nothing to send' : 'Sending past events',
          description:
            b.total === 0 ? 'No retained event in that range matches this subscription.' : 'Its progress is shown on this page; you can cancel while it runs.',
        });
        onClose();
      },
      onError: (err) => {
        const [first] = fieldErrors(err);
        setError(first ?? { field: '', message: describeError(err) });
      },
    }),
  );
  const previewProblem = preview.error ? (fieldErrors(preview.error)[0]?.message ?? describeError(preview.error)) : null;
  const problem = 'problem' in range ? range.problem : null;
  const fieldProblem = (field: string) => (error?.field === field ? error.message : field === 'from' ? problem : null);
  const count = preview.data?.count;
  const fresh = !!input && settled === JSON.stringify('input' in range ? range.input : null) && !preview.isFetching;
  return (
    <Dialog
      open
      onClose={onClose}
      title="Send past events"
      description="Events this subscription matches today (its event types, channels and filter) that it never received: for a subscription created later, or one whose filter changed."
    >
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          if (!('input' in range)) return;
          setError(null);
          start.mutate({ id: sub.id, ...range.input });
        }}
      >
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id="backfill-from" label="From" error={fieldProblem('from')} hint={`In your time zone (${Intl.DateTimeFormat().resolvedOptions().timeZone}).`}>
            <Input
              id="backfill-from"
              type="datetime-local"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              aria-invalid={!!fieldProblem('from')}
              aria-describedby={fieldProblem('from') ? 'backfill-from-error' : 'backfill-from-hint'}
            />
          </Field>
          <Field id="backfill-to" label="To" optional error={fieldProblem('to')} hint="Empty: until now.">
            <Input
              id="backfill-to"
              type="datetime-local"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              aria-invalid={!!fieldProblem('to')}
              aria-describedby={fieldProblem('to') ? 'backfill-to-error' : 'backfill-to-hint'}
            />
          </Field>
        </div>
        <Field
          id="backfill-types"
          label="Only these event types"
          optional
          error={error?.field.startsWith('eventTypes') ? error.message : null}
          hint="Comma-separated types or patterns (order.*), among those the subscription receives. Empty: all of them."
        >
          <Input
            id="backfill-types"
            value={eventTypes}
            placeholder={sub.eventTypes.join(', ')}
            onChange={(e) => setEventTypes(e.target.value)}
            aria-describedby="backfill-types-hint"
          />
        </Field>
        <div
          role="status"
          aria-live="polite"
          data-testid="backfill-preview"
          className="rounded-lg border border-zinc-200 bg-zinc-50 p-3 text-sm dark:border-zinc-800 dark:bg-zinc-950"
        >
          {problem ? (
            <span className="text-zinc-500 dark:text-zinc-400">{problem}</span>
          ) : previewProblem ? (
            <span className="text-red-600 dark:text-red-400">{previewProblem}</span>
          ) : count === undefined ? (
            <span className="inline-flex items-center gap-2 text-zinc-500 dark:text-zinc-400">
              <IconSpinner className="size-3.5 animate-spin" /> Counting…
            </span>
          ) : (
            <>
              <p>
                <span className="font-semibold tabular-nums" data-testid="backfill-count">
                  {preview.data?.capped ? 'At least ' : ''}
                  {formatCount(count)}
                </span>{' '}
                {count === 1 ? 'event' : 'events'} would be sent.
                {!fresh && <IconSpinner className="ml-2 inline size-3.5 animate-spin text-zinc-400" />}
              </p>
              {preview.data?.clampedFrom && (
                <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
                  Events are kept for a limited time: the range starts at {formatFull(preview.data.from)}, the oldest still kept.
                </p>
              )}
              {preview.data?.capped && (
                <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
                  The count covers the first {formatCount(preview.data.examined)} events of the range.
                </p>
              )}
            </>
          )}
        </div>
        {error && !['from', 'to'].includes(error.field) && !error.field.startsWith('eventTypes') && (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            {error.message}
          </p>
        )}
        <p className="text-sm text-zinc-600 dark:text-zinc-300">
          They go out behind this endpoint&apos;s live traffic, at its rate limit, each with its normal retries. You can cancel while it runs.
        </p>
        <div className="flex justify-end gap-2 pt-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={!fresh || !count || start.isPending}>
            {start.isPending ? <IconSpinner className="size-3.5 animate-spin" /> : <IconClock className="size-3.5" />}
            {count ? `Send ${formatCount(count)} ${count === 1 ? 'event' : 'events'}` : 'Send'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** Live progress of the subscription's latest backfill, with a cancel button while it runs. */
export function BackfillProgress({ id }: { id: string }) {
  const latest = useBackfills(id).data?.data[0];
  if (!latest) return null;
  const recent = isLive(latest) || Date.now() - new Date(latest.finishedAt ?? latest.createdAt).getTime() < RECENT_MS;
  if (!recent) return null;
  return <BackfillCard backfill={latest} />;
}

function BackfillCard({ backfill: b }: { backfill: Backfill }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const readOnly = useReadOnly();
  const cancel = useMutation(
    trpc.replays.cancel.mutationOptions({
      onSuccess: async () => {
        toast({ tone: 'success', title: 'Backfill cancelled', description: 'What was already sent still goes out; the rest is not sent.' });
        await qc.invalidateQueries({ queryKey: trpc.subscriptions.backfills.pathKey() });
      },
      onError: (err) => toast({ tone: 'error', title: 'Could not cancel', description: describeError(err) }),
    }),
  );
  // As what it sends lands, the recent deliveries below follow without waiting for their own poll.
  useEffect(() => {
    void qc.invalidateQueries({ queryKey: trpc.deliveries.list.pathKey() });
  }, [qc, trpc, b.enqueued, b.delivered, b.failed]);
  const examined = b.enqueued + b.skipped + b.filteredOut;
  const pct = (n: number, of: number) => (of > 0 ? `${Math.min(100, (n / of) * 100)}%` : '0%');
  const figures = [
    { label: 'Events in range', value: b.total, testId: 'backfill-total' },
    { label: 'Sent', value: b.enqueued, testId: 'backfill-sent' },
    { label: 'Already received', value: b.skipped, testId: 'backfill-skipped' },
    { label: 'Filtered out', value: b.filteredOut, testId: 'backfill-filtered' },
    { label: 'Delivered', value: b.delivered, testId: 'backfill-delivered', dot: 'bg-emerald-500' },
    { label: 'Failed', value: b.failed, testId: 'backfill-failed', dot: 'bg-red-500' },
  ];
  return (
    <section
      aria-label="Backfill"
      data-testid="backfill"
      className="mb-6 rounded-xl border border-zinc-200 bg-white p-4 shadow-xs dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 className="flex flex-wrap items-center gap-2 text-sm font-semibold">
            Past events
            <BackfillStatus backfill={b} />
          </h2>
          <p className="mt-0.5 text-xs text-zinc-500 dark:text-zinc-400">
            <Mono className="text-xs">{b.id}</Mono> · published {b.filter.from && formatFull(b.filter.from)} to {b.filter.to && formatFull(b.filter.to)}
            {b.filter.eventTypes && <> · {b.filter.eventTypes.join(', ')}</>} · started <RelativeTime at={b.createdAt} />
          </p>
        </div>
        {b.status === 'running' && !readOnly && (
          <Button size="sm" variant="secondary" onClick={() => cancel.mutate({ id: b.id })} disabled={cancel.isPending}>
            <IconX className="size-3.5" /> Cancel backfill
          </Button>
        )}
      </div>
      <div
        role="progressbar"
        aria-label="Backfill progress: events examined out of the events in range"
        aria-valuemin={0}
        aria-valuemax={b.total}
        aria-valuenow={examined}
        aria-valuetext={`${examined} of ${b.total} events examined: ${b.enqueued} sent, ${b.skipped} already received, ${b.filteredOut} filtered out; ${b.delivered} delivered`}
        className="relative mt-4 flex h-2.5 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800"
      >
        {/* Examined so far, behind what was delivered. */}
        <div className="absolute inset-y-0 left-0 bg-sky-200 transition-[width] duration-500 dark:bg-sky-900" style={{ width: pct(examined, b.total) }} />
        <div className="relative bg-emerald-500 transition-[width] duration-500" style={{ width: pct(b.delivered, b.total) }} />
        <div className="relative bg-red-500 transition-[width] duration-500" style={{ width: pct(b.failed, b.total) }} />
      </div>
      <dl className="mt-3 grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-6">
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

function BackfillStatus({ backfill: b }: { backfill: Backfill }) {
  if (b.status === 'running')
    return (
      <Badge tone="blue" icon={<IconSpinner className="size-3 animate-spin" />}>
        Sending
      </Badge>
    );
  if (b.status === 'cancelled')
    return (
      <Badge tone="zinc" icon={<IconX className="size-3" />}>
        Cancelled
      </Badge>
    );
  if (b.inFlight > 0)
    return (
      <Badge tone="blue" icon={<IconSpinner className="size-3 animate-spin" />}>
        Delivering
      </Badge>
    );
  return (
    <Badge tone={b.failed > 0 ? 'amber' : 'green'} icon={<IconCheck className="size-3" />}>
      Done
    </Badge>
  );
}
