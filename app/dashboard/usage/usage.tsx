'use client';

import { useQuery } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/api/root';
import { TimeSeriesChart } from '../../_components/chart';
import { Panel } from '../../_components/panel';
import { EmptyState, ErrorState, TableSkeleton } from '../../_components/states';
import { Table, TBody, Td, Th, THead, Tr } from '../../_components/table';
import { useTRPC } from '../../_components/trpc';

const fmt = new Intl.NumberFormat();
const bytes = (n: number) =>
  n >= 2 ** 30
    ? `${(n / 2 ** 30).toFixed(1)} GiB`
    : n >= 1 << 20
      ? `${(n / (1 << 20)).toFixed(1)} MiB`
      : n >= 1024
        ? `${(n / 1024).toFixed(1)} KiB`
        : `${n} B`;

/** Usage days are UTC days: named as such, whatever the viewer's zone. */
const dayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** Every day of the window (up to a year), zero where nothing happened, so the chart's time axis is the window's. */
function perDay(
  from: string,
  to: string,
  rows: { day: string; deliveriesSucceeded: number; deliveriesFailed: number }[],
) {
  const byDay = new Map<string, { succeeded: number; failed: number }>();
  for (const r of rows) {
    const d = byDay.get(r.day) ?? { succeeded: 0, failed: 0 };
    byDay.set(r.day, { succeeded: d.succeeded + r.deliveriesSucceeded, failed: d.failed + r.deliveriesFailed });
  }
  const days: { day: string; succeeded: number; failed: number }[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end && days.length < 366; t += 86400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    days.push({ day, ...(byDay.get(day) ?? { succeeded: 0, failed: 0 }) });
  }
  return days;
}

type UsageDay = inferRouterOutputs<AppRouter>['audit']['usage']['data'][number];

/** The table's figures of a day: the column's heading, its label on a phone's card, and the value. */
const columns: Array<{ heading: string; label: string; value: (d: UsageDay) => string }> = [
  { heading: 'Events', label: 'Events', value: (d) => fmt.format(d.eventsPublished) },
  { heading: 'Attempts', label: 'Attempts', value: (d) => fmt.format(d.deliveriesAttempted) },
  { heading: 'Succeeded', label: 'Succeeded', value: (d) => fmt.format(d.deliveriesSucceeded) },
  { heading: 'Failed', label: 'Failed', value: (d) => fmt.format(d.deliveriesFailed) },
  { heading: 'Bytes sent', label: 'Sent', value: (d) => bytes(d.bytesSent) },
];

/** Usage per day as bars (attempts, split succeeded / failed) with the same figures as a table. */
export function Usage() {
  const trpc = useTRPC();
  const { data, error, refetch } = useQuery(trpc.audit.usage.queryOptions({}));
  if (error) return <ErrorState error={error} title="Could not load usage" onRetry={() => void refetch()} />;
  if (!data) return <TableSkeleton rows={4} label="Loading usage" />;
  return (
    <div className="space-y-4">
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
        {[
          ['Events published', fmt.format(data.totals.eventsPublished)],
          ['Delivery attempts', fmt.format(data.totals.deliveriesAttempted)],
          ['Failed attempts', fmt.format(data.totals.deliveriesFailed)],
          ['Bytes sent', bytes(data.totals.bytesSent)],
        ].map(([label, value]) => (
          <div
            key={label}
            className="rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
          >
            <p className="text-xs font-medium text-zinc-500 dark:text-zinc-400">{label}</p>
            <p
              className="mt-1 text-2xl font-semibold tabular-nums"
              data-testid={`usage-${label!.toLowerCase().replace(/\s+/g, '-')}`}
            >
              {value}
            </p>
          </div>
        ))}
      </div>
      <Quotas quotas={data.quotas} />
      <Panel title="Per day" description={`${data.from} to ${data.to}`}>
        {data.data.length === 0 ? (
          <EmptyState title="No usage yet">Publish an event and its deliveries are counted here.</EmptyState>
        ) : (
          <>
            <div className="px-4 pt-4" data-testid="usage-chart">
              <TimeSeriesChart
                data={perDay(data.from, data.to, data.data)}
                at={(d) => `${d.day}T00:00:00Z`}
                bucketSeconds={86400}
                bucketName={(d) => dayLabel.format(new Date(`${d.day}T00:00:00Z`))}
                series={[
                  { label: 'Succeeded', color: 'emerald', value: (d) => d.succeeded },
                  { label: 'Failed', color: 'red', value: (d) => d.failed },
                ]}
                stacked
                integer
                format={(v) => fmt.format(v)}
                height={140}
                label="Delivery attempts per day"
              />
            </div>
            <Table label="Usage per day">
              <THead>
                <tr>
                  <Th>Day</Th>
                  {columns.map((c) => (
                    <Th key={c.heading}>{c.heading}</Th>
                  ))}
                </tr>
              </THead>
              <TBody>
                {data.data.map((d) => (
                  <Tr key={d.day} testId="usage-row">
                    <Td wide className="font-mono text-xs">
                      {d.day}
                    </Td>
                    {columns.map((c) => (
                      <Td key={c.heading} label={c.label} className="tabular-nums">
                        {c.value(d)}
                      </Td>
                    ))}
                  </Tr>
                ))}
              </TBody>
            </Table>
          </>
        )}
      </Panel>
    </div>
  );
}

type QuotaFigures = {
  eventsPerDay: { limit: number | null; used: number | null };
  inFlightTotal: { limit: number; used: number | null };
  storedBytes: { limit: number | null; used: number | null };
};

/** The customer's quotas and how much of each it uses (nothing to show without one customer in view). */
function Quotas({ quotas }: { quotas: QuotaFigures }) {
  const { eventsPerDay: events, inFlightTotal: windows, storedBytes: stored } = quotas;
  if (events.used === null || windows.used === null || stored.used === null) return null;
  const rows: Array<[string, string, number | null]> = [
    [
      'Events today',
      events.limit === null
        ? `${fmt.format(events.used)} (no daily quota)`
        : `${fmt.format(events.used)} of ${fmt.format(events.limit)}`,
      events.limit === null ? null : events.used / events.limit,
    ],
    [
      'Subscription windows',
      `${fmt.format(windows.used)} of ${fmt.format(windows.limit)} in flight`,
      windows.used / windows.limit,
    ],
    [
      'Stored bytes',
      stored.limit === null
        ? `${bytes(stored.used)} (no stored-bytes quota)`
        : `${bytes(stored.used)} of ${bytes(stored.limit)}`,
      stored.limit === null ? null : stored.used / stored.limit,
    ],
  ];
  return (
    <Panel
      title="Quotas"
      description="Publishing past the daily quota is refused (429) until midnight UTC; windows (maxInFlight) add up to at most the limit; stored bytes are the event bodies published over the days retention keeps, and past the quota publishing is refused (413) until older days leave."
    >
      <dl className="grid grid-cols-1 gap-3 p-4 md:grid-cols-3">
        {rows.map(([label, value, share]) => (
          <div key={label}>
            <dt className="text-xs font-medium text-zinc-500 dark:text-zinc-400">{label}</dt>
            <dd className="mt-1 text-sm tabular-nums" data-testid={`quota-${label.toLowerCase().replace(/\s+/g, '-')}`}>
              {value}
              {share !== null && (
                <span className="mt-2 block h-1.5 rounded bg-zinc-200 dark:bg-zinc-800" aria-hidden>
                  <span
                    className={
                      share >= 1
                        ? 'block h-1.5 rounded bg-red-500'
                        : share >= 0.8
                          ? 'block h-1.5 rounded bg-amber-500'
                          : 'block h-1.5 rounded bg-emerald-500'
                    }
                    style={{ width: `${Math.min(100, share * 100)}%` }}
                  />
                </span>
              )}
            </dd>
          </div>
        ))}
      </dl>
    </Panel>
  );
}
