'use client';

import { TimeSeriesChart, type ChartOptions } from '../../_components/chart';
import { latencyLines } from '../../_components/chart-latency';
import { formatCount, formatPercent, formatRate } from '../../_components/format';
import { ChartPanel } from '../../_components/chart-panel';
import { useOverview, type Range } from './use-overview';

const HEIGHT = 180;
type Overview = NonNullable<ReturnType<typeof useOverview>['data']>;
type Bucket = Overview['buckets'][number];

/** One panel of the overview's charts: all read the same query (use-overview.ts) and draw its buckets. */
function OverviewChart({
  range,
  chart,
  ...rest
}: {
  title: string;
  description: string;
  range: Range;
  chart: (d: Overview) => ChartOptions<Bucket>;
}) {
  return (
    <ChartPanel query={useOverview(range)} height={HEIGHT} {...rest}>
      {(d) => (
        <TimeSeriesChart
          data={d.buckets}
          at={(b) => b.at}
          bucketSeconds={d.bucketSeconds}
          height={HEIGHT}
          {...chart(d)}
        />
      )}
    </ChartPanel>
  );
}

/** Attempts per minute (a 15-minute bucket's count divided by 15 in the 24 h view), split by outcome. */
export function ThroughputChart({ range }: { range: Range }) {
  return (
    <OverviewChart
      title="Delivery attempts per minute"
      description="Every HTTP attempt, by outcome"
      range={range}
      chart={(d) => {
        const perMinute = d.bucketSeconds / 60;
        return {
          label: 'Delivery attempts per minute, succeeded and failed',
          kind: 'bar',
          stacked: true,
          integer: perMinute === 1,
          format: perMinute === 1 ? formatCount : formatRate,
          emptyText: 'No attempts in this window',
          series: [
            { label: 'Succeeded', color: 'emerald', value: (b) => b.succeeded / perMinute },
            { label: 'Failed', color: 'red', value: (b) => b.failed / perMinute },
          ],
        };
      }}
    />
  );
}

export function SuccessRateChart({ range }: { range: Range }) {
  return (
    <OverviewChart
      title="Success rate"
      description="Share of attempts answered with 2xx"
      range={range}
      chart={() => ({
        label: 'Success rate',
        kind: 'line',
        yMax: 1,
        format: formatPercent,
        emptyText: 'No attempts in this window',
        series: [
          { label: 'Success rate', color: 'emerald', value: (b) => (b.attempts > 0 ? b.succeeded / b.attempts : null) },
        ],
      })}
    />
  );
}

export function LatencyChart({ range }: { range: Range }) {
  return (
    <OverviewChart
      title="Response latency"
      description="Median and 99th percentile of attempt latency"
      range={range}
      chart={() => ({
        label: 'Response latency p50 and p99',
        emptyText: 'No attempts in this window',
        ...latencyLines<Bucket>(
          (b) => b.latencyP50Ms,
          (b) => b.latencyP99Ms,
        ),
      })}
    />
  );
}

export function DeadLetterChart({ range }: { range: Range }) {
  return (
    <OverviewChart
      title="New dead letters"
      description="Deliveries that exhausted their retries"
      range={range}
      chart={() => ({
        label: 'New dead letters',
        kind: 'bar',
        integer: true,
        format: formatCount,
        emptyText: 'No dead letters in this window',
        series: [{ label: 'Dead letters', color: 'red', value: (b) => b.deadLettered }],
      })}
    />
  );
}
