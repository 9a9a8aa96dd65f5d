import type { ChartOptions } from './chart';
import { formatLatency } from './time';

/**
 * Latency axis labels in one unit and one precision: milliseconds up to a 1 s top ("0 ms, 250 ms,
 * 500 ms"), seconds above it, with as many decimals as the half-way tick needs ("0 s, 5 s, 10 s").
 */
function formatLatencyTick(v: number, top: number): string {
  if (top < 2000) return `${Math.round(v).toLocaleString()} ms`;
  const half = top / 2000;
  const decimals = Number.isInteger(half) ? 0 : Number.isInteger(half * 10) ? 1 : 2;
  return `${(v / 1000).toFixed(decimals)} s`;
}

/** Response latency as two lines, p50 and p99 in milliseconds, on one axis in one unit. */
export function latencyLines<T>(
  p50: (d: T) => number | null,
  p99: (d: T) => number | null,
): Omit<ChartOptions<T>, 'label'> {
  return {
    kind: 'line',
    format: (v) => formatLatency(Math.round(v)),
    tickFormat: formatLatencyTick,
    integer: true,
    series: [
      { label: 'p50', color: 'indigo', value: p50 },
      { label: 'p99', color: 'violet', value: p99 },
    ],
  };
}
