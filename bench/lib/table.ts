/** Prints rows as an aligned text table (what `pnpm bench` shows). */
export function printTable(title: string, rows: Array<Record<string, string | number | null>>): void {
  console.log(`\n${title}`);
  if (rows.length === 0) return console.log('(no rows)');
  const cols = Object.keys(rows[0]!);
  const cell = (v: string | number | null) =>
    v === null ? '—' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v;
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c] ?? null).length)));
  const line = (vals: string[]) =>
    '| ' +
    vals.map((v, i) => (/^[-\d.,%×]+$/.test(v) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ') +
    ' |';
  console.log(line(cols));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(cols.map((c) => cell(r[c] ?? null))));
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
