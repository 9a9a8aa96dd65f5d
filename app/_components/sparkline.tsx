/**
 * A word-sized line chart (a trend beside a figure). It is an image with its meaning in its
 * accessible name, e.g. "Success rate per 5 minutes, last hour: lowest 80%, latest 100%".
 * Buckets without data (null) leave a gap.
 */
export function Sparkline({
  values,
  max,
  label,
  tone = 'emerald',
  width = 84,
  height = 22,
  testId,
}: {
  values: (number | null)[];
  max: number;
  label: string;
  tone?: 'emerald' | 'red' | 'amber' | 'violet';
  width?: number;
  height?: number;
  testId?: string;
}) {
  const stroke = {
    emerald: 'stroke-emerald-500 dark:stroke-emerald-400',
    red: 'stroke-red-500 dark:stroke-red-400',
    amber: 'stroke-amber-500 dark:stroke-amber-400',
    violet: 'stroke-violet-500 dark:stroke-violet-400',
  }[tone];
  const fill = {
    emerald: 'fill-emerald-500 dark:fill-emerald-400',
    red: 'fill-red-500 dark:fill-red-400',
    amber: 'fill-amber-500 dark:fill-amber-400',
    violet: 'fill-violet-500 dark:fill-violet-400',
  }[tone];
  const n = values.length;
  const top = max > 0 ? max : 1;
  const x = (i: number) => (n <= 1 ? width / 2 : 1.5 + (i * (width - 3)) / (n - 1));
  const y = (v: number) => 1.5 + (height - 3) * (1 - Math.min(v, top) / top);
  let d = '';
  const dots: [number, number][] = [];
  values.forEach((v, i) => {
    if (v === null) return;
    const prev = i > 0 ? values[i - 1] : null;
    const next = i < n - 1 ? values[i + 1] : null;
    d += `${prev === null || prev === undefined ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    if ((prev === null || prev === undefined) && (next === null || next === undefined)) dots.push([x(i), y(v)]);
  });
  return (
    <svg
      role="img"
      aria-label={label}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      className="shrink-0 overflow-visible"
      data-testid={testId}
    >
      <title>{label}</title>
      <line x1={0} x2={width} y1={height - 0.5} y2={height - 0.5} className="stroke-zinc-200 dark:stroke-zinc-700" />
      {d && (
        <path d={d} fill="none" strokeWidth={1.5} strokeLinejoin="round" strokeLinecap="round" className={stroke} />
      )}
      {dots.map(([cx, cy], i) => (
        <circle key={i} cx={cx} cy={cy} r={1.75} className={fill} />
      ))}
    </svg>
  );
}
