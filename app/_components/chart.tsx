'use client';

import { useState, type KeyboardEvent, type PointerEvent } from 'react';
import { palette, type ChartSeries } from './chart-palette';
import { ChartTable } from './chart-table';
import { formatClock } from './time';
import { useWidth } from './use-width';

/**
 * A time-series chart drawn in SVG: bars (optionally stacked) or lines, one bucket per data point.
 * Hover or focus it and use ←/→ to read each bucket's values. Its height is fixed, so nothing moves
 * when the width is measured or the data arrives.
 */
type TimeSeriesChartProps<T> = {
  data: T[];
  /** Start of each bucket (ISO). */
  at: (d: T) => string;
  bucketSeconds: number;
  series: ChartSeries<T>[];
  kind?: 'bar' | 'line';
  stacked?: boolean;
  format: (v: number) => string;
  /** The y axis's labels, given the axis's top (so every label shares one unit and precision); `format` otherwise. */
  tickFormat?: (v: number, top: number) => string;
  /** Fixed top of the y axis (e.g. 1 for a ratio); otherwise a round number above the data. */
  yMax?: number;
  /** Counts: the y axis only shows whole numbers. */
  integer?: boolean;
  height?: number;
  label: string;
  emptyText?: string;
  /** A bucket's name on the time axis and in the tooltip (a day: "Mar 4"); its clock times otherwise. */
  bucketName?: (d: T) => string;
};

/** What a chart makes of its data (series, kind, scale, words): all but the data, its time axis and its height. */
export type ChartOptions<T> = Omit<TimeSeriesChartProps<T>, 'data' | 'at' | 'bucketSeconds' | 'height'>;

const M = { top: 10, right: 8, bottom: 22, left: 46 };
/** The widest a bar gets: with few buckets (one day of usage), a bar, not a block filling the chart. */
const MAX_BAR_WIDTH = 40;

function niceCeil(v: number, integer: boolean): number {
  if (v <= 0) return integer ? 2 : 1;
  const mag = 10 ** Math.floor(Math.log10(v));
  for (const f of [1, 2, 4, 5, 10]) {
    const c = f * mag;
    if (c >= v && (!integer || Number.isInteger(c / 2))) return c;
  }
  return 10 * mag;
}

export function TimeSeriesChart<T>({
  data,
  at,
  bucketSeconds,
  series,
  kind = 'bar',
  stacked = false,
  format,
  tickFormat,
  yMax,
  integer = false,
  height = 160,
  label,
  emptyText,
  bucketName,
}: TimeSeriesChartProps<T>) {
  const [ref, width] = useWidth();
  const [active, setActive] = useState<number | null>(null);
  const n = data.length;
  const values = data.map((d) => series.map((s) => s.value(d)));
  const rawMax = Math.max(
    0,
    ...values.map((v) =>
      stacked ? v.reduce<number>((a, b) => a + (b ?? 0), 0) : Math.max(0, ...v.map((x) => x ?? 0)),
    ),
  );
  const top = yMax ?? niceCeil(rawMax, integer);
  const plotW = Math.max(0, width - M.left - M.right);
  const plotH = height - M.top - M.bottom;
  const band = n > 0 ? plotW / n : 0;
  const x = (i: number) => M.left + i * band;
  const y = (v: number) => M.top + plotH - (Math.min(v, top) / top) * plotH;
  const empty = values.every((v) => v.every((x) => x === null || x === 0));
  // An empty chart has no scale to read: only its baseline, and the "no data" text over it.
  const ticks = empty ? [0] : [0, top / 2, top].filter((t) => !integer || Number.isInteger(t));
  const tickLabel = (t: number) => (empty ? '' : tickFormat ? tickFormat(t, top) : format(t));
  // Time labels: five on a wide chart, three on a narrow one (a phone), so they never collide.
  const xTicks =
    n <= 1
      ? [0]
      : plotW < 420
        ? [0, Math.round(n / 2), n - 1]
        : [...new Set([0, Math.round(n / 4), Math.round(n / 2), Math.round((3 * n) / 4), n - 1])];
  const current = active === null ? null : Math.min(active, n - 1);

  function onMove(e: PointerEvent<SVGRectElement>) {
    const rect = e.currentTarget.getBoundingClientRect();
    const i = Math.floor(((e.clientX - rect.left) / rect.width) * n);
    setActive(Math.max(0, Math.min(n - 1, i)));
  }
  function onKey(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === 'ArrowLeft') setActive((a) => Math.max(0, (a ?? n) - 1));
    else if (e.key === 'ArrowRight') setActive((a) => Math.min(n - 1, (a ?? -1) + 1));
    else if (e.key === 'Home') setActive(0);
    else if (e.key === 'End') setActive(n - 1);
    else if (e.key === 'Escape') setActive(null);
    else return;
    e.preventDefault();
  }

  const bucketLabel = (i: number) => {
    if (bucketName) return bucketName(data[i]!);
    const start = new Date(at(data[i]!));
    const end = new Date(start.getTime() + bucketSeconds * 1000);
    return `${formatClock(start)} – ${formatClock(end)}`;
  };
  const describe = (i: number) =>
    `${bucketLabel(i)}: ${series.map((s, k) => `${s.label} ${values[i]![k] === null ? 'no data' : format(values[i]![k]!)}`).join(', ')}`;

  return (
    <div className="relative">
      <div className="mb-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400" aria-hidden>
        {series.map((s) => (
          <span key={s.label} className="inline-flex items-center gap-1.5">
            <span className={`size-2 rounded-sm ${palette[s.color].dot}`} />
            {s.label}
          </span>
        ))}
      </div>
      <div
        ref={ref}
        role="group"
        aria-label={`${label}. Use the left and right arrow keys to read each ${bucketSeconds >= 86400 ? 'day' : bucketSeconds >= 3600 ? 'hour' : bucketSeconds >= 120 ? `${bucketSeconds / 60}-minute bucket` : 'minute'}.`}
        tabIndex={0}
        onKeyDown={onKey}
        onFocus={() => setActive((a) => a ?? n - 1)}
        onBlur={() => setActive(null)}
        style={{ height }}
        className="relative rounded focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500"
      >
        {width > 0 && n > 0 && (
          // Out of the flow: the drawing follows the box's width and never holds it open (a phone
          // turned, a window narrowed: the box shrinks first, then the chart is redrawn to fit).
          <svg width={width} height={height} aria-hidden className="absolute inset-0 block overflow-visible">
            {ticks.map((t) => (
              <g key={t}>
                <line
                  x1={M.left}
                  x2={width - M.right}
                  y1={y(t)}
                  y2={y(t)}
                  className={t === 0 ? 'stroke-zinc-300 dark:stroke-zinc-700' : 'stroke-zinc-100 dark:stroke-zinc-800'}
                  strokeDasharray={t === 0 ? undefined : '3 3'}
                />
                <text
                  x={M.left - 6}
                  y={y(t)}
                  dy="0.32em"
                  textAnchor="end"
                  className="fill-zinc-500 text-[10px] dark:fill-zinc-400"
                >
                  {tickLabel(t)}
                </text>
              </g>
            ))}
            {xTicks.map((i, k) => (
              <text
                key={i}
                // A named bucket (a day) is labelled under its bar; a clock time where its bucket starts or ends.
                x={bucketName || (k > 0 && k < xTicks.length - 1) ? x(i) + band / 2 : k === 0 ? x(i) : x(i) + band}
                y={height - 6}
                textAnchor={bucketName || (k > 0 && k < xTicks.length - 1) ? 'middle' : k === 0 ? 'start' : 'end'}
                className="fill-zinc-500 text-[10px] dark:fill-zinc-400"
              >
                {bucketName ? bucketName(data[i]!) : formatClock(at(data[i]!))}
              </text>
            ))}
            {current !== null && (
              <rect
                x={x(current)}
                y={M.top}
                width={band}
                height={plotH}
                className="fill-zinc-900/5 dark:fill-white/10"
              />
            )}
            {kind === 'bar'
              ? values.map((v, i) => {
                  let base = 0;
                  const w = Math.min(MAX_BAR_WIDTH, Math.max(1, band * (band > 6 ? 0.7 : 0.8)));
                  return series.map((s, k) => {
                    const val = v[k] ?? 0;
                    if (val <= 0) return null;
                    const from = stacked ? base : 0;
                    if (stacked) base += val;
                    const y1 = y(from + val);
                    const h = Math.max(1.5, y(from) - y1);
                    const offset = stacked ? 0 : (w / series.length) * k;
                    return (
                      <rect
                        key={`${i}-${k}`}
                        x={x(i) + (band - w) / 2 + offset}
                        y={y(from) - h}
                        width={stacked ? w : w / series.length}
                        height={h}
                        rx={w > 4 ? 1 : 0}
                        className={palette[s.color].fill}
                        data-testid="chart-bar"
                      />
                    );
                  });
                })
              : series.map((s, k) => {
                  const pts = values.map((v, i) => (v[k] === null ? null : ([x(i) + band / 2, y(v[k]!)] as const)));
                  let d = '';
                  pts.forEach((p, i) => {
                    if (!p) return;
                    d += `${i > 0 && pts[i - 1] ? 'L' : 'M'}${p[0].toFixed(1)},${p[1].toFixed(1)}`;
                  });
                  return (
                    <g key={s.label}>
                      <path
                        d={d}
                        fill="none"
                        strokeWidth={1.75}
                        strokeLinejoin="round"
                        className={palette[s.color].stroke}
                      />
                      {pts.map((p, i) =>
                        (p && !pts[i - 1] && !pts[i + 1]) || (p && i === current) ? (
                          <circle key={i} cx={p[0]} cy={p[1]} r={2.5} className={palette[s.color].fill} />
                        ) : null,
                      )}
                    </g>
                  );
                })}
            <rect
              x={M.left}
              y={M.top}
              width={plotW}
              height={plotH}
              fill="transparent"
              onPointerMove={onMove}
              onPointerLeave={() => setActive(null)}
            />
          </svg>
        )}
        {empty && width > 0 && (
          <p className="pointer-events-none absolute inset-0 flex items-center justify-center pl-10 text-xs text-zinc-500 dark:text-zinc-400">
            {emptyText ?? 'No data in this window'}
          </p>
        )}
        {current !== null && width > 0 && (
          <div
            className="pointer-events-none absolute top-0 z-10 min-w-36 rounded-md border border-zinc-200 bg-white/95 px-2.5 py-2 text-xs shadow-md dark:border-zinc-700 dark:bg-zinc-800/95"
            style={
              x(current) + band / 2 > width / 2 ? { right: width - x(current) + 6 } : { left: x(current) + band + 6 }
            }
          >
            <p className="mb-1 font-medium whitespace-nowrap text-zinc-700 dark:text-zinc-200">
              {bucketLabel(current)}
            </p>
            {series.map((s, k) => (
              <p key={s.label} className="flex items-center justify-between gap-3 whitespace-nowrap">
                <span className="inline-flex items-center gap-1.5 text-zinc-500 dark:text-zinc-400">
                  <span className={`size-2 rounded-sm ${palette[s.color].dot}`} />
                  {s.label}
                </span>
                <span className="font-medium tabular-nums">
                  {values[current]![k] === null ? '—' : format(values[current]![k]!)}
                </span>
              </p>
            ))}
          </div>
        )}
        <p className="sr-only" aria-live="polite">
          {current !== null ? describe(current) : ''}
        </p>
      </div>
      {width > 0 && (
        <ChartTable
          label={label}
          series={series}
          values={values}
          bucketLabel={bucketLabel}
          format={format}
          emptyText={empty ? (emptyText ?? 'No data in this window') : null}
        />
      )}
    </div>
  );
}
