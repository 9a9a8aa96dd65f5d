'use client';

import { useQuery } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import Link from 'next/link';
import type { AppRouter } from '@/server/api/root';
import { formatCount, formatPercent } from '../../_components/format';
import { Segmented } from '../../_components/segmented';
import { Sparkline } from '../../_components/sparkline';
import { SubscriptionStateBadge } from '../../_components/status';
import { RowLink, Td } from '../../_components/table';
import { formatLatency } from '../../_components/time';
import { useTRPC } from '../../_components/trpc';
import { WaitingFor } from './waiting';

type Out = inferRouterOutputs<AppRouter>;
export type Health = Out['stats']['subscriptionHealth']['subscriptions'][number];
type SubscriptionRow = Out['subscriptions']['list']['data'][number];
export type HealthRange = 'hour' | 'day';

/** Per-subscription success rate, p99 and dead letters over the range, refreshed with the overview. */
export function useSubscriptionHealth(range: HealthRange) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.stats.subscriptionHealth.queryOptions({ range }),
    refetchInterval: 15_000,
    placeholderData: (prev) => prev,
  });
}

/**
 * What needs attention first: disabled, then an open breaker, then failing (under 90% success, or
 * dead letters waiting), then paused with deliveries held, then degraded (under 99%), then paused,
 * then healthy.
 */
function attentionRank(s: SubscriptionRow, h: Health | undefined): number {
  if (!s.active && s.disabledReason) return 0;
  if (s.active && s.breaker.state !== 'closed') return 1;
  if ((h?.dead ?? 0) > 0 || (h?.successRate ?? 1) < 0.9) return 2;
  if (!s.active && s.heldDeliveries > 0) return 3;
  if ((h?.successRate ?? 1) < 0.99) return 4;
  if (!s.active) return 5;
  return 6;
}

export function byAttention<S extends SubscriptionRow>(subs: S[], health: Map<string, Health>): S[] {
  return [...subs].sort((a, b) => {
    const ha = health.get(a.id);
    const hb = health.get(b.id);
    return (
      attentionRank(a, ha) - attentionRank(b, hb) ||
      (ha?.successRate ?? 1) - (hb?.successRate ?? 1) ||
      (hb?.dead ?? 0) - (ha?.dead ?? 0) ||
      a.url.localeCompare(b.url)
    );
  });
}

const windowWords = (range: HealthRange) => (range === 'hour' ? 'last hour, per 5 minutes' : 'last 24 hours, per hour');

/** Success rate over the window and its trend; "—" without attempts. */
function SuccessCell({ h, range }: { h: Health | undefined; range: HealthRange }) {
  if (!h) return <span className="text-zinc-500 dark:text-zinc-400">…</span>;
  if (h.attempts === 0) return <span className="text-xs text-zinc-500 dark:text-zinc-400">No attempts</span>;
  const rates = h.buckets.map((b) => (b.attempts > 0 ? b.succeeded / b.attempts : null));
  const seen = rates.filter((r): r is number => r !== null);
  const lowest = seen.length ? Math.min(...seen) : null;
  const rate = h.successRate ?? 0;
  const tone = rate < 0.9 ? 'red' : rate < 0.99 ? 'amber' : 'emerald';
  return (
    <span className="inline-flex items-center gap-2">
      <Sparkline
        values={rates}
        max={1}
        tone={tone}
        label={`Success rate, ${windowWords(range)}: ${formatPercent(rate)} overall, lowest ${formatPercent(lowest)}`}
        testId="success-sparkline"
      />
      <span
        className={`font-medium tabular-nums ${tone === 'red' ? 'text-red-700 dark:text-red-300' : tone === 'amber' ? 'text-amber-800 dark:text-amber-300' : ''}`}
        data-testid="success-rate"
      >
        {formatPercent(rate)}
      </span>
    </span>
  );
}

/** p99 latency over the window and its trend. */
function LatencyCell({ h, range }: { h: Health | undefined; range: HealthRange }) {
  if (!h || h.latencyP99Ms === null) return <span className="text-zinc-500 dark:text-zinc-400">—</span>;
  const p99 = h.buckets.map((b) => b.latencyP99Ms);
  const top = Math.max(1, ...p99.map((v) => v ?? 0));
  return (
    <span className="inline-flex items-center gap-2">
      <Sparkline
        values={p99}
        max={top}
        tone="violet"
        label={`p99 latency, ${windowWords(range)}: ${formatLatency(h.latencyP99Ms)} overall, highest ${formatLatency(top)}`}
      />
      <span className="tabular-nums" data-testid="latency-p99">
        {formatLatency(h.latencyP99Ms)}
      </span>
    </span>
  );
}

/** State badge, plus what is held or dead, each a link to where it is dealt with. */
function StateCell({ s, h }: { s: SubscriptionRow; h: Health | undefined }) {
  return (
    <span className="flex flex-wrap items-center gap-1.5">
      <SubscriptionStateBadge active={s.active} disabledReason={s.disabledReason} breakerState={s.breaker.state} />
      {s.waiting?.kind === 'breaker' && (
        <span className="text-xs text-amber-800 dark:text-amber-300">
          <WaitingFor waiting={s.waiting} subject="subscription" />
        </span>
      )}
      {s.heldDeliveries > 0 && (
        <span className="text-xs text-amber-800 dark:text-amber-300" data-testid="held-count">
          {formatCount(s.heldDeliveries)} held
        </span>
      )}
      {(h?.dead ?? 0) > 0 && (
        <Link
          href={`/dashboard/dead-letters?sub=${s.id}`}
          className="relative z-10 text-xs font-medium text-red-700 hover:underline dark:text-red-300"
          data-testid="dead-count"
        >
          {formatCount(h!.dead)} dead
        </Link>
      )}
    </span>
  );
}

/** The last hour or the last 24 hours: the window of the overview and of the endpoints' health. */
export function HealthRangeToggle({
  label,
  value,
  onChange,
}: {
  label: string;
  value: HealthRange;
  onChange: (r: HealthRange) => void;
}) {
  return (
    <Segmented
      label={label}
      value={value}
      onChange={onChange}
      options={[
        { value: 'hour', label: 'Last hour' },
        { value: 'day', label: 'Last 24 hours' },
      ]}
    />
  );
}

/** The endpoint's URL, a link to its subscription's page (the whole row is one). */
export function EndpointLink({ s }: { s: SubscriptionRow }) {
  return (
    <RowLink
      href={`/dashboard/subscriptions/${s.id}`}
      className="block truncate font-mono text-[0.8125rem] max-sm:break-all max-sm:whitespace-normal"
    >
      {s.url}
    </RowLink>
  );
}

/** A row's health cells: its state, its success rate and its p99 latency over the window. */
export function HealthCells({ s, h, range }: { s: SubscriptionRow; h: Health | undefined; range: HealthRange }) {
  return (
    <>
      <Td wide>
        <StateCell s={s} h={h} />
      </Td>
      <Td label="Success">
        <SuccessCell h={h} range={range} />
      </Td>
      <Td label="p99">
        <LatencyCell h={h} range={range} />
      </Td>
    </>
  );
}
