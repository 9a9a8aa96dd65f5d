'use client';

import type { ReactNode } from 'react';
import { formatLatencyTick, TimeSeriesChart } from '../../_components/chart';
import { formatCount, formatPercent, formatRate } from '../../_components/format';
import { ChartPanel } from '../../_components/chart-panel';
import { formatLatency } from '../../_components/time';
import { useOverview, type Range } from './use-overview';

const HEIGHT = 180;
type Overview = NonNullable<ReturnType<typeof useOverview>['data']>;

/** One panel of the overview's charts: all read the same query (use-overview.ts). */
function OverviewChart({ range, ...rest }: { title: string; description: string; range: Range; children: (d: Overview) => ReactNode }) {
  return <ChartPanel query={useOverview(range)} height={HEIGHT} {...rest} />;
}

/** Attempts per minute (a 15-minute bucket's count divided by 15 in the 24 h view), split by outcome. */
export function ThroughputChart({ range }: { range: Range }) {
  return (
    <OverviewChart title="Delivery attempts per minute" description="Every HTTP attempt, by outcome" range={range}>
      {(d) => {
        const perMinute = d.bucketSeconds / 60;
        return (
          <TimeSeriesChart
            label="Delivery attempts per minute, succeeded and failed"
            data={d.buckets}
            at={(b) => b.at}
            bucketSeconds={d.bucketSeconds}
            kind="bar"
            stacked
            integer={perMinute === 1}
            height={HEIGHT}
            format={perMinute === 1 ? formatCount : formatRate}
            emptyText="No attempts in this window"
            series={[
              { label: 'Succeeded', color: 'emerald', value: (b) => b.succeeded / perMinute },
              { label: 'Failed', color: 'red', value: (b) => b.failed / perMinute },
            ]}
          />
        );
      }}
    </OverviewChart>
  );
}

export function SuccessRateChart({ range }: { range: Range }) {
  return (
    <OverviewChart title="Success rate" description="Share of attempts answered with 2xx" range={range}>
      {(d) => (
        <TimeSeriesChart
          label="Success rate"
          data={d.buckets}
          at={(b) => b.at}
          bucketSeconds={d.bucketSeconds}
          kind="line"
          yMax={1}
          height={HEIGHT}
          format={formatPercent}
          emptyText="No attempts in this window"
          series={[{ label: 'Success rate', color: 'emerald', value: (b) => (b.attempts > 0 ? b.succeeded / b.attempts : null) }]}
        />
      )}
    </OverviewChart>
  );
}

export function LatencyChart({ range }: { range: Range }) {
  return (
    <OverviewChart title="Response latency" description="Median and 99th percentile of attempt latency" range={range}>
      {(d) => (
        <TimeSeriesChart
          label="Response latency p50 and p99"
          data={d.buckets}
          at={(b) => b.at}
          bucketSeconds={d.bucketSeconds}
          kind="line"
          height={HEIGHT}
          format={(v) => formatLatency(Math.round(v))}
          tickFormat={formatLatencyTick}
          integer
          emptyText="No attempts in this window"
          series={[
            { label: 'p50', color: 'indigo', value: (b) => b.latencyP50Ms },
            { label: 'p99', color: 'violet', value: (b) => b.latencyP99Ms },
          ]}
        />
      )}
    </OverviewChart>
  );
}

export function DeadLetterChart({ range }: { range: Range }) {
  return (
    <OverviewChart title="New dead letters" description="Deliveries that exhausted their retries" range={range}>
      {(d) => (
        <TimeSeriesChart
          label="New dead letters"
          data={d.buckets}
          at={(b) => b.at}
          bucketSeconds={d.bucketSeconds}
          kind="bar"
          integer
          height={HEIGHT}
          format={formatCount}
          emptyText="No dead letters in this window"
          series={[{ label: 'Dead letters', color: 'red', value: (b) => b.deadLettered }]}
        />
      )}
    </OverviewChart>
  );
}
