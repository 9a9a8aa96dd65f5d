'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import { formatCount, formatPercent, formatRate } from '../../_components/format';
import { Skeleton } from '../../_components/states';
import { formatLatency } from '../../_components/time';
import { useOverview, type Range } from './use-overview';

const perMinute = (rate: number) => (rate > 0 && rate < 0.1 ? '< 0.1' : formatRate(rate));

function Card({
  label,
  value,
  hint,
  tone,
  href,
  testId,
  className = '',
}: {
  label: string;
  value: ReactNode;
  hint: ReactNode;
  tone?: 'good' | 'bad' | 'warn';
  href?: string;
  testId?: string;
  className?: string;
}) {
  const toneClass =
    tone === 'bad' ? 'text-red-600 dark:text-red-400' : tone === 'warn' ? 'text-amber-600 dark:text-amber-400' : '';
  const body = (
    <>
      <p className="text-xs font-medium text-zinc-500 dark:text-zinc-400">{label}</p>
      <p className={`mt-1 text-2xl font-semibold tracking-tight tabular-nums ${toneClass}`} data-testid={testId}>
        {value}
      </p>
      <p className="mt-0.5 text-xs break-words text-zinc-500 dark:text-zinc-400" data-testid="stat-hint">
        {hint}
      </p>
    </>
  );
  const cls = `${className} block rounded-xl border border-zinc-200 bg-white px-4 py-3 shadow-xs dark:border-zinc-800 dark:bg-zinc-900`;
  return href ? (
    <Link
      href={href}
      className={`${cls} hover:border-zinc-300 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:hover:border-zinc-700`}
    >
      {body}
    </Link>
  ) : (
    <div className={cls}>{body}</div>
  );
}

export function StatCards({ range }: { range: Range }) {
  const { data } = useOverview(range);
  const window = range === 'hour' ? 'last hour' : 'last 24 h';
  if (!data) {
    return (
      <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-5" role="status" aria-label="Loading figures">
        {Array.from({ length: 5 }, (_, i) => (
          <div
            key={i}
            className={`${i === 4 ? 'col-span-2 md:col-span-1' : ''} h-24 rounded-xl border border-zinc-200 bg-white px-4 py-3 dark:border-zinc-800 dark:bg-zinc-900`}
          >
            <Skeleton className="h-3 w-20" />
            <Skeleton className="mt-2.5 h-6 w-16" />
            <Skeleton className="mt-2 h-3 w-24" />
          </div>
        ))}
      </div>
    );
  }
  const { totals, current } = data;
  const minutes = (data.buckets.length * data.bucketSeconds) / 60;
  const rate = totals.successRate;
  return (
    <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-5">
      <Card
        label="Delivery attempts"
        value={formatCount(totals.attempts)}
        hint={`${perMinute(totals.attempts / minutes)} per minute, ${window}`}
        testId="stat-attempts"
      />
      <Card
        label="Success rate"
        value={formatPercent(rate)}
        tone={rate === null ? undefined : rate < 0.9 ? 'bad' : rate < 0.99 ? 'warn' : 'good'}
        hint={`${formatCount(totals.succeeded)} of ${formatCount(totals.attempts)} attempts`}
        testId="stat-success-rate"
      />
      <Card label="Latency p50" value={formatLatency(totals.latencyP50Ms)} hint={`median response, ${window}`} />
      <Card label="Latency p99" value={formatLatency(totals.latencyP99Ms)} hint={`slowest 1%, ${window}`} />
      <Card
        label="Dead letters"
        value={formatCount(current.dead)}
        tone={current.dead > 0 ? 'bad' : undefined}
        hint={`${formatCount(totals.deadLettered)} new, ${window} · ${formatCount(current.pending)} retrying`}
        href="/dashboard/dead-letters"
        testId="stat-dead"
        className="col-span-2 md:col-span-1"
      />
    </div>
  );
}
