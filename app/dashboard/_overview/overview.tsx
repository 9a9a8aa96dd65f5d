'use client';

import { HealthRangeToggle } from '../_components/endpoint-health';
import { DeadLetterChart, LatencyChart, SuccessRateChart, ThroughputChart } from './charts';
import { EndpointHealth } from './endpoints';
import { RecentDeliveries } from './recent-deliveries';
import { StatCards } from './stat-cards';
import { useRange } from './use-overview';

export function Overview() {
  const [range, setRange] = useRange();
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Overview</h1>
          <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">
            Your webhook traffic, refreshed every 10 seconds.
          </p>
        </div>
        <HealthRangeToggle label="Time window" value={range} onChange={setRange} />
      </div>
      <StatCards range={range} />
      <EndpointHealth range={range} />
      <div className="grid gap-4 lg:grid-cols-2">
        <ThroughputChart range={range} />
        <SuccessRateChart range={range} />
        <LatencyChart range={range} />
        <DeadLetterChart range={range} />
      </div>
      <RecentDeliveries />
    </div>
  );
}
