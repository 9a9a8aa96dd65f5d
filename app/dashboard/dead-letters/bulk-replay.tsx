'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Button } from '../../_components/button';
import { Mono } from '../../_components/code';
import { describeError } from '../../_components/errors';
import { formatCount } from '../../_components/format';
import { IconCheck, IconReplay, IconSpinner, IconX } from '../../_components/icons';
import { useReadOnly } from '../../_components/session';
import { Badge } from '../../_components/status';
import { RelativeTime } from '../../_components/time';
import { useToast } from '../../_components/toast';
import { useTRPC } from '../../_components/trpc';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/api/root';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { Dialog } from '../../_components/dialog';
import { useSubscriptionUrls } from '../_components/use-subscription-urls';
import { Field, Input } from '../../_components/form';
import { formatFull } from '../../_components/time';
import { deadLetterRanges, useDeadLetterFilters, useDeadLetterQuery } from './use-dead-letter-filters';

type Replay = inferRouterOutputs<AppRouter>['replays']['get'];

/** A replay is worth showing while it runs, while its deliveries are in flight, and for a while after. */
const RECENT_MS = 10 * 60_000;
const isLive = (r: Replay) => r.status === 'running' || r.inFlight > 0;

function useReplays() {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.replays.list.queryOptions({}),
    refetchInterval: (q) => (q.state.error ? false : q.state.data?.data.some(isLive) ? 1000 : 15_000),
  });
}

/** What a replay's filter covers, in words ("order.* · https://… · created since 10:00"). */
function useScopeWords(filter: { subscriptionId?: string; eventType?: string; from?: string }) {
  const urls = useSubscriptionUrls();
  return (
    [
      filter.subscriptionId && (urls?.get(filter.subscriptionId) ?? filter.subscriptionId),
      filter.eventType,
      filter.from && `created since ${formatFull(filter.from)}`,
    ]
      .filter(Boolean)
      .join(' · ') || 'all dead letters'
  );
}

/** Starts one bulk replay for `filter` and says what happened (already running, nothing matched, started). */
function useStartReplay() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const create = useMutation(trpc.replays.create.mutationOptions());
  return async (filter: { subscriptionId?: string; eventType?: string; from?: string }) => {
    const r = await create.mutateAsync(filter);
    await qc.invalidateQueries({ queryKey: trpc.replays.pathKey() });
    if (r.existing) toast({ tone: 'success', title: 'A replay is already running', description: 'Its progress is shown on this page.' });
    else if (r.total === 0) toast({ tone: 'success', title: 'Nothing to replay', description: 'No dead letter matches (or they are past retention).' });
    else toast({ tone: 'success', title: 'Replay started', description: `${formatCount(r.total)} dead letter${r.total === 1 ? '' : 's'} will be sent again.` });
  };
}

/** "Replay all": one bulk replay of the dead letters matching the page's filters. */
export function ReplayAllButton({ disabled }: { disabled: boolean }) {
  const readOnly = useReadOnly();
  const { filters } = useDeadLetterFilters();
  const { input, problem } = useDeadLetterQuery(filters);
  const [open, setOpen] = useState(false);
  const replays = useReplays();
  const running = replays.data?.data.find((r) => r.status === 'running');
  const start = useStartReplay();
  const scoped = Object.keys(input).length > 0;
  const rangeLabel = deadLetterRanges.find((r) => r.value === filters.range && r.ms > 0)?.label.toLowerCase();
  const scope = useScopeWords({ ...input, from: undefined });
  if (readOnly) return null;
  return (
    <>
      <Button
        variant="primary"
        onClick={() => setOpen(true)}
        disabled={disabled || !!running || !!problem}
        title={running ? 'A replay is running; it shows its progress below' : undefined}
      >
        <IconReplay className="size-4" />{' '}
        {input.subscriptionId && !input.eventType && !input.from ? 'Replay all for this subscription' : scoped ? 'Replay all matching' : 'Replay all'}
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        title={
          input.subscriptionId && !input.eventType && !input.from
            ? 'Replay every dead letter of this subscription?'
            : scoped
              ? 'Replay every matching dead letter?'
              : 'Replay every dead letter?'
        }
        confirmLabel="Replay all"
        onConfirm={() => start(input)}
      >
        <p>
          {scoped ? (
            <>
              Every dead letter
              {input.subscriptionId || input.eventType ? (
                <>
                  {' '}
                  of <Mono>{scope}</Mono>
                </>
              ) : null}
              {rangeLabel && <> created in the {rangeLabel}</>}
            </>
          ) : (
            'Every dead letter of this account'
          )}{' '}
          is sent again, each with a fresh retry cycle. Hookrelay re-enqueues them in paced batches and sends your live traffic first, so nothing else slows
          down. You can cancel while it runs.
        </p>
      </ConfirmDialog>
    </>
  );
}

/** `datetime-local` wants "YYYY-MM-DDTHH:mm" in the viewer's zone. */
function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * Recover after an outage: every dead letter created since a moment (of the page's subscription,
 * when one is picked), in one bulk replay, like "Replay all".
 */
export function ReplaySinceButton({ disabled }: { disabled: boolean }) {
  const readOnly = useReadOnly();
  const { filters } = useDeadLetterFilters();
  const { input } = useDeadLetterQuery(filters);
  const [open, setOpen] = useState(false);
  const [since, setSince] = useState('');
  const [error, setError] = useState<string | null>(null);
  const replays = useReplays();
  const running = replays.data?.data.find((r) => r.status === 'running');
  const start = useStartReplay();
  const [busy, setBusy] = useState(false);
  const urls = useSubscriptionUrls();
  if (readOnly) return null;
  return (
    <>
      <Button
        onClick={() => {
          setSince(toLocalInput(new Date(Date.now() - 3600_000)));
          setError(null);
          setOpen(true);
        }}
        disabled={disabled || !!running}
      >
        <IconReplay className="size-4" /> Replay since…
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title="Replay what failed since…"
        description="For after an outage: every dead letter created since then is sent again, in one paced bulk replay."
      >
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            const at = new Date(since);
            if (!since || Number.isNaN(at.getTime())) return setError('Pick a date and time.');
            if (at.getTime() > Date.now()) return setError('Pick a moment in the past.');
            setBusy(true);
            setError(null);
            start({ from: at.toISOString(), ...(input.subscriptionId && { subscriptionId: input.subscriptionId }) })
              .then(() => setOpen(false))
              .catch((err: unknown) => setError(describeError(err)))
              .finally(() => setBusy(false));
          }}
        >
          <Field id="replay-since" label="Created since" error={error} hint={`In your time zone (${Intl.DateTimeFormat().resolvedOptions().timeZone}).`}>
            <Input
              id="replay-since"
              type="datetime-local"
              value={since}
              onChange={(e) => setSince(e.target.value)}
              aria-invalid={!!error}
              aria-describedby={error ? 'replay-since-error' : 'replay-since-hint'}
            />
          </Field>
          <p className="text-sm text-zinc-600 dark:text-zinc-300">
            {input.subscriptionId ? (
              <>
                Only dead letters of <Mono>{urls?.get(input.subscriptionId) ?? input.subscriptionId}</Mono> (the subscription picked on this page).
              </>
            ) : (
              'Dead letters of every subscription.'
            )}
          </p>
          <div className="flex justify-end gap-2 pt-2">
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button type="submit" variant="primary" disabled={busy}>
              {busy ? <IconSpinner className="size-3.5 animate-spin" /> : <IconReplay className="size-3.5" />}
              Replay since then
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}

/** Live progress of the latest bulk replay: total, enqueued, delivered, failed, with a cancel button. */
export function BulkReplayProgress() {
  const { data } = useReplays();
  const latest = data?.data[0];
  if (!latest) return null;
  const recent = isLive(latest) || Date.now() - new Date(latest.finishedAt ?? latest.createdAt).getTime() < RECENT_MS;
  if (!recent) return null;
  return <ReplayCard replay={latest} />;
}

function ReplayCard({ replay: r }: { replay: Replay }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const readOnly = useReadOnly();
  const cancel = useMutation(
    trpc.replays.cancel.mutationOptions({
      onSuccess: async () => {
        toast({ tone: 'success', title: 'Replay cancelled', description: 'Deliveries already re-enqueued still go out; the rest stay dead letters.' });
        await qc.invalidateQueries({ queryKey: trpc.replays.pathKey() });
      },
      onError: (err) => toast({ tone: 'error', title: 'Could not cancel', description: describeError(err) }),
    }),
  );
  // As replayed deliveries land, the dead-letter list below shrinks without waiting for its own poll.
  useEffect(() => {
    void qc.invalidateQueries({ queryKey: trpc.deliveries.list.pathKey() });
  }, [qc, trpc, r.enqueued, r.delivered, r.failed]);
  const pct = (n: number) => (r.total > 0 ? `${(n / r.total) * 100}%` : '0%');
  const done = r.delivered + r.failed;
  const scope = useScopeWords(r.filter);
  const figures = [
    { label: 'Total', value: r.total, testId: 'replay-total' },
    { label: 'Enqueued', value: r.enqueued, testId: 'replay-enqueued' },
    { label: 'Delivered', value: r.delivered, testId: 'replay-delivered', dot: 'bg-emerald-500' },
    { label: 'Failed again', value: r.failed, testId: 'replay-failed', dot: 'bg-red-500' },
    { label: 'In flight', value: r.inFlight, testId: 'replay-in-flight', dot: 'bg-sky-500' },
  ];
  return (
    <section
      aria-label="Bulk replay"
      data-testid="bulk-replay"
      className="rounded-xl border border-zinc-200 bg-white p-4 shadow-xs dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 className="flex flex-wrap items-center gap-2 text-sm font-semibold">
            Bulk replay
            <ReplayStatus replay={r} />
          </h2>
          <p className="mt-0.5 text-xs text-zinc-500 dark:text-zinc-400">
            <Mono className="text-xs">{r.id}</Mono> · {scope} · started <RelativeTime at={r.createdAt} />
            {r.finishedAt && (
              <>
                {' '}
                · {r.status === 'cancelled' ? 'cancelled' : 'all enqueued'} <RelativeTime at={r.finishedAt} />
              </>
            )}
          </p>
        </div>
        {r.status === 'running' && !readOnly && (
          <Button size="sm" variant="secondary" onClick={() => cancel.mutate({ id: r.id })} disabled={cancel.isPending}>
            <IconX className="size-3.5" /> Cancel replay
          </Button>
        )}
      </div>
      <div
        role="progressbar"
        aria-label="Replay progress: delivered and failed out of total"
        aria-valuemin={0}
        aria-valuemax={r.total}
        aria-valuenow={done}
        aria-valuetext={`${done} of ${r.total} finished: ${r.delivered} delivered, ${r.failed} failed`}
        className="relative mt-4 flex h-2.5 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800"
      >
        {/* Enqueued so far, behind the outcomes. */}
        <div className="absolute inset-y-0 left-0 bg-sky-200 transition-[width] duration-500 dark:bg-sky-900" style={{ width: pct(r.enqueued) }} />
        <div className="relative bg-emerald-500 transition-[width] duration-500" style={{ width: pct(r.delivered) }} />
        <div className="relative bg-red-500 transition-[width] duration-500" style={{ width: pct(r.failed) }} />
      </div>
      <dl className="mt-3 grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-5">
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

function ReplayStatus({ replay: r }: { replay: Replay }) {
  if (r.status === 'running')
    return (
      <Badge tone="blue" icon={<IconSpinner className="size-3 animate-spin" />}>
        Re-enqueuing
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
      Finished
    </Badge>
  );
}
