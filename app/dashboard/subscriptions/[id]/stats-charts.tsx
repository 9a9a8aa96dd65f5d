'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { TimeSeriesChart, type ChartOptions } from '../../../_components/chart';
import { latencyLines } from '../../../_components/chart-latency';
import { formatCount } from '../../../_components/format';
import { ChartPanel } from '../../../_components/chart-panel';
import { Skeleton } from '../../../_components/states';
import { useTRPC } from '../../../_components/trpc';
import { WaitingFor, type Waiting } from '../../_components/waiting';

const HEIGHT = 150;

function useStats(id: string) {
  const trpc = useTRPC();
  return useQuery({ ...trpc.subscriptions.stats.queryOptions({ id, minutes: 60 }), refetchInterval: 10_000 });
}

/** Now: deliveries waiting, held and dead for this subscription. */
export function QueueNow({ id, waiting }: { id: string; waiting: Waiting }) {
  const { data } = useStats(id);
  // "Waiting" says what they wait for (the API's one answer): the breaker holds pending deliveries
  // back; only a pause or a disable makes them held.
  const items: Array<{ label: string; value: number | undefined; hint: ReactNode; href?: string }> = [
    { label: 'Waiting', value: data?.current.pending, hint: <WaitingFor waiting={waiting} subject="subscription" /> },
    { label: 'Held', value: data?.current.held, hint: 'while paused or disabled' },
    {
      label: 'Dead letters',
      value: data?.current.dead,
      hint: 'replay from Dead letters',
      href: `/dashboard/dead-letters?sub=${id}`,
    },
  ];
  return (
    <div className="grid grid-cols-3 gap-3">
      {items.map((it) => (
        <div
          key={it.label}
          className="rounded-xl border border-zinc-200 bg-white px-4 py-3 shadow-xs dark:border-zinc-800 dark:bg-zinc-900"
        >
          <p className="text-xs font-medium text-zinc-500 dark:text-zinc-400">{it.label}</p>
          <div
            className="mt-1 h-7 text-xl font-semibold tabular-nums"
            data-testid={`queue-${it.label.toLowerCase().replace(' ', '-')}`}
          >
            {it.value === undefined ? <Skeleton className="h-6 w-10" /> : formatCount(it.value)}
          </div>
          <p className="text-xs break-words text-zinc-500 dark:text-zinc-400" data-testid="stat-hint">
            {it.href && it.value ? (
              <Link href={it.href} className="text-indigo-600 hover:underline dark:text-indigo-400">
                {it.hint}
              </Link>
            ) : (
              it.hint
            )}
          </p>
        </div>
      ))}
    </div>
  );
}

type Minute = NonNullable<ReturnType<typeof useStats>['data']>['minutes'][number];

/** One panel of this subscription's charts: all read the same query (refreshed every 10 s) and draw its minutes. */
function StatsChart({
  id,
  chart,
  ...rest
}: {
  id: string;
  title: string;
  description: string;
  chart: ChartOptions<Minute>;
}) {
  return (
    <ChartPanel query={useStats(id)} height={HEIGHT} {...rest}>
      {(data) => (
        <TimeSeriesChart data={data.minutes} at={(m) => m.minute} bucketSeconds={60} height={HEIGHT} {...chart} />
      )}
    </ChartPanel>
  );
}

export function DispatchChart({ id }: { id: string }) {
  return (
    <StatsChart
      id={id}
      title="Dispatch rate"
      description="Attempts per minute, last hour"
      chart={{
        label: 'Attempts per minute for this subscription',
        kind: 'bar',
        stacked: true,
        integer: true,
        format: formatCount,
        emptyText: 'No attempts in the last hour',
        series: [
          { label: 'Succeeded', color: 'emerald', value: (m) => m.succeeded },
          { label: 'Failed', color: 'red', value: (m) => m.failed },
        ],
      }}
    />
  );
}

export function QueueDepthChart({ id }: { id: string }) {
  return (
    <StatsChart
      id={id}
      title="Queue depth"
      description="Deliveries waiting at each minute, last hour"
      chart={{
        label: 'Queue depth per minute for this subscription',
        kind: 'line',
        integer: true,
        format: formatCount,
        emptyText: 'Nothing queued in the last hour',
        series: [
          { label: 'Waiting', color: 'sky', value: (m) => m.queueDepth },
          { label: 'Held', color: 'amber', value: (m) => m.held },
        ],
      }}
    />
  );
}

export function SubscriptionLatencyChart({ id }: { id: string }) {
  return (
    <StatsChart
      id={id}
      title="Response latency"
      description="p50 and p99 per minute, last hour"
      chart={{
        label: 'Response latency per minute for this subscription',
        emptyText: 'No attempts in the last hour',
        ...latencyLines<Minute>(
          (m) => m.latencyP50Ms,
          (m) => m.latencyP99Ms,
        ),
      }}
    />
  );
}
