/** The colours a chart's series can take, each as the SVG fill, the line's stroke and the legend's dot. */
type ChartColor = 'emerald' | 'red' | 'indigo' | 'sky' | 'amber' | 'violet';

export const palette: Record<ChartColor, { fill: string; stroke: string; dot: string }> = {
  emerald: {
    fill: 'fill-emerald-500 dark:fill-emerald-400',
    stroke: 'stroke-emerald-500 dark:stroke-emerald-400',
    dot: 'bg-emerald-500 dark:bg-emerald-400',
  },
  red: {
    fill: 'fill-red-500 dark:fill-red-400',
    stroke: 'stroke-red-500 dark:stroke-red-400',
    dot: 'bg-red-500 dark:bg-red-400',
  },
  indigo: {
    fill: 'fill-indigo-500 dark:fill-indigo-400',
    stroke: 'stroke-indigo-500 dark:stroke-indigo-400',
    dot: 'bg-indigo-500 dark:bg-indigo-400',
  },
  sky: {
    fill: 'fill-sky-500 dark:fill-sky-400',
    stroke: 'stroke-sky-500 dark:stroke-sky-400',
    dot: 'bg-sky-500 dark:bg-sky-400',
  },
  amber: {
    fill: 'fill-amber-500 dark:fill-amber-400',
    stroke: 'stroke-amber-500 dark:stroke-amber-400',
    dot: 'bg-amber-500 dark:bg-amber-400',
  },
  violet: {
    fill: 'fill-violet-500 dark:fill-violet-400',
    stroke: 'stroke-violet-500 dark:stroke-violet-400',
    dot: 'bg-violet-500 dark:bg-violet-400',
  },
};

/** One line, or one bar of each bucket, of a chart: its name, its colour and its value in a data point (null: no data). */
export type ChartSeries<T> = { label: string; color: ChartColor; value: (d: T) => number | null };
