import type { ChartSeries } from './chart-palette';

/**
 * The chart as text for screen readers (visually hidden): one row per bucket that has data, so
 * nobody needs the arrow keys or the picture to read it.
 */
export function ChartTable<T>({
  label,
  series,
  values,
  bucketLabel,
  format,
  emptyText,
}: {
  label: string;
  series: ChartSeries<T>[];
  values: (number | null)[][];
  bucketLabel: (i: number) => string;
  format: (v: number) => string;
  emptyText: string | null;
}) {
  if (emptyText) return <p className="sr-only">{`${label}: ${emptyText}.`}</p>;
  const rows = values.map((v, i) => ({ v, i })).filter(({ v }) => v.some((x) => x !== null && x !== 0));
  // The wrapper, not the table, is visually hidden: a table grows to its content whatever its width,
  // and would push a phone's page sideways.
  return (
    <div className="sr-only">
      <table>
        <caption>{`${label}, ${rows.length} of ${values.length} time buckets with data`}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            {series.map((s) => (
              <th key={s.label} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ v, i }) => (
            <tr key={i}>
              <th scope="row">{bucketLabel(i)}</th>
              {series.map((s, k) => (
                <td key={s.label}>{v[k] === null ? 'no data' : format(v[k]!)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
