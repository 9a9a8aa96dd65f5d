'use client';

import type { ReactNode } from 'react';
import { IconBan, IconCheck, IconClock, IconPause, IconX } from '../../_components/icons';
import { HttpStatus } from '../../_components/status';
import { DateTime, RelativeTime, formatLatency } from '../../_components/time';
import type { Attempt, Delivery } from './types';
import { WaitingFor } from './waiting';

const triggerLabel: Record<string, string> = {
  initial: 'First attempt',
  retry: 'Retry',
  replay: 'Replay',
  test: 'Test',
};

const errorLabel: Record<string, string> = {
  timeout: 'Timed out',
  connection: 'Connection failed',
  dns: 'DNS lookup failed',
  tls: 'TLS error',
  http_status: 'Non-2xx answer',
  blocked_target: 'Blocked target',
  transform: 'Transform failed',
  cancelled: 'Cancelled by transform',
};

function Dot({ tone, children }: { tone: 'green' | 'red' | 'blue' | 'amber' | 'zinc'; children: ReactNode }) {
  const cls = {
    green: 'bg-emerald-100 text-emerald-700 ring-emerald-600/30 dark:bg-emerald-500/15 dark:text-emerald-300',
    red: 'bg-red-100 text-red-700 ring-red-600/30 dark:bg-red-500/15 dark:text-red-300',
    blue: 'bg-sky-100 text-sky-700 ring-sky-600/30 dark:bg-sky-500/15 dark:text-sky-300',
    amber: 'bg-amber-100 text-amber-800 ring-amber-600/30 dark:bg-amber-500/15 dark:text-amber-300',
    zinc: 'bg-zinc-100 text-zinc-600 ring-zinc-400/30 dark:bg-zinc-800 dark:text-zinc-400',
  }[tone];
  // The opaque backing keeps the timeline's line from showing through the translucent dark tints.
  return (
    <span className="relative z-10 shrink-0 rounded-full bg-white dark:bg-zinc-900">
      <span className={`flex size-6 items-center justify-center rounded-full ring-1 ${cls}`}>{children}</span>
    </span>
  );
}

/**
 * The attempts of one delivery, oldest first, then what happens next (the scheduled retry, the
 * hold, or the dead letter). Each attempt is a button that opens it in the inspector. A read holds
 * the latest 50 attempts: older ones are a page away (`paged`: an older page is shown).
 */
export function AttemptTimeline({
  delivery,
  selectedId,
  onSelect,
  paged = false,
  onPage,
}: {
  delivery: Delivery;
  selectedId: string | null;
  onSelect: (a: Attempt) => void;
  paged?: boolean;
  onPage?: (cursor: number | undefined) => void;
}) {
  const { attempts } = delivery;
  // The line joining the dots, only when there are at least two steps to join.
  const steps = attempts.length + (delivery.status === 'succeeded' || paged ? 0 : 1);
  const line =
    steps > 1
      ? 'before:absolute before:top-4 before:bottom-4 before:left-[1.3rem] before:w-px before:bg-zinc-200 dark:before:bg-zinc-700'
      : '';
  const first = attempts[0]?.attemptSeq;
  const last = attempts.at(-1)?.attemptSeq;
  const partial = delivery.attemptsNextCursor !== null || paged;
  return (
    <>
      {partial && first !== undefined && last !== undefined && (
        <div
          className="flex flex-wrap items-center justify-between gap-2 px-2 pt-1 pb-2 text-xs text-zinc-600 dark:text-zinc-400"
          data-testid="attempts-range"
        >
          <span>
            Attempts #{first}–#{last} of {delivery.attemptsTotal}
          </span>
          <span className="flex gap-2">
            {delivery.attemptsNextCursor !== null && (
              <button
                type="button"
                className="font-medium text-indigo-600 hover:underline dark:text-indigo-400"
                onClick={() => onPage?.(delivery.attemptsNextCursor ?? undefined)}
              >
                Earlier attempts
              </button>
            )}
            {paged && (
              <button
                type="button"
                className="font-medium text-indigo-600 hover:underline dark:text-indigo-400"
                onClick={() => onPage?.(undefined)}
              >
                Latest attempts
              </button>
            )}
          </span>
        </div>
      )}
      <ol aria-label="Attempts" className={`relative space-y-1 ${line}`}>
        {attempts.map((a) => {
          const ok = a.status === 'succeeded';
          // Its transform cancelled it: done, but nothing was sent.
          const cancelled = a.error?.class === 'cancelled';
          const selected = a.id === selectedId;
          return (
            <li key={a.id}>
              <button
                type="button"
                onClick={() => onSelect(a)}
                aria-pressed={selected}
                data-testid="attempt-item"
                className={`flex w-full items-start gap-3 rounded-lg px-2 py-2 text-left focus-visible:outline-2 focus-visible:outline-indigo-500 ${
                  selected
                    ? 'bg-indigo-50 ring-1 ring-indigo-200 dark:bg-indigo-500/10 dark:ring-indigo-500/30'
                    : 'hover:bg-zinc-50 dark:hover:bg-zinc-800/60'
                }`}
              >
                <Dot tone={cancelled ? 'zinc' : ok ? 'green' : 'red'}>
                  {cancelled ? (
                    <IconBan className="size-3.5" />
                  ) : ok ? (
                    <IconCheck className="size-3.5" />
                  ) : (
                    <IconX className="size-3.5" />
                  )}
                </Dot>
                <span className="min-w-0 flex-1">
                  <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
                    <span className="text-sm font-medium">
                      #{a.attemptSeq} {triggerLabel[a.trigger] ?? a.trigger}
                    </span>
                    <span className="sr-only">{cancelled ? 'cancelled' : ok ? 'succeeded' : 'failed'}</span>
                    {a.response ? (
                      <HttpStatus code={a.response.status} />
                    ) : (
                      a.error && (
                        <span
                          className={`text-xs font-medium ${cancelled ? 'text-zinc-600 dark:text-zinc-400' : 'text-red-700 dark:text-red-300'}`}
                        >
                          {errorLabel[a.error.class] ?? a.error.class}
                        </span>
                      )
                    )}
                    <span className="text-xs text-zinc-600 tabular-nums dark:text-zinc-400">
                      {formatLatency(a.latencyMs)}
                    </span>
                  </span>
                  <span className="mt-0.5 block text-xs text-zinc-600 dark:text-zinc-400">
                    <RelativeTime at={a.startedAt} /> · <DateTime at={a.startedAt} />
                  </span>
                  {a.error?.message && !ok && (
                    <span className="mt-0.5 line-clamp-2 block text-xs break-words text-red-700 dark:text-red-300">
                      {a.error.message}
                    </span>
                  )}
                  {a.nextRetryAt && (
                    <span className="mt-0.5 block text-xs text-zinc-600 dark:text-zinc-400">
                      Next retry <DateTime at={a.nextRetryAt} />
                    </span>
                  )}
                </span>
              </button>
            </li>
          );
        })}
        {!paged && <NextStep delivery={delivery} />}
      </ol>
    </>
  );
}

function NextStep({ delivery }: { delivery: Delivery }) {
  const row = (tone: 'blue' | 'amber' | 'red' | 'zinc', icon: ReactNode, title: string, detail?: ReactNode) => (
    <li className="flex items-start gap-3 px-2 py-2" data-testid="timeline-next">
      <Dot tone={tone}>{icon}</Dot>
      <span className="min-w-0 flex-1 text-sm">
        <span className="font-medium">{title}</span>
        {detail && <span className="mt-0.5 block text-xs text-zinc-600 dark:text-zinc-400">{detail}</span>}
      </span>
    </li>
  );
  switch (delivery.status) {
    case 'pending':
      // What it waits for comes from the API (the breaker, the schedule, a slot): the same words on every page.
      return row(
        delivery.waiting?.kind === 'breaker' ? 'amber' : 'blue',
        <IconClock className="size-3.5" />,
        delivery.attemptCount === 0 ? 'Waiting for the first attempt' : 'Waiting for the next attempt',
        <>
          <WaitingFor waiting={delivery.waiting} />
          {delivery.waiting?.kind === 'scheduled' && (
            <>
              {' '}
              · <DateTime at={delivery.waiting.at} />
            </>
          )}
        </>,
      );
    case 'held':
      return row('amber', <IconPause className="size-3.5" />, 'Held', <WaitingFor waiting={delivery.waiting} />);
    case 'dead':
      return row(
        'red',
        <IconX className="size-3.5" />,
        'Dead letter',
        `${delivery.lastError ? delivery.lastError.charAt(0).toUpperCase() + delivery.lastError.slice(1) : `Gave up after ${delivery.attemptCount} attempt${delivery.attemptCount === 1 ? '' : 's'}`}. Replay it once the endpoint is fixed.`,
      );
    case 'succeeded':
      return null;
  }
}
