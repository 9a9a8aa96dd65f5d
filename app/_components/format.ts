const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export const formatCount = (n: number) => integer.format(n);
export const formatRate = (n: number) => decimal.format(n);

/** 0..1 → "99.2%"; exact 0 and 1 without decimals. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined) return '—';
  const p = ratio * 100;
  if (Number.isInteger(p)) return `${p}%`;
  return `${p >= 99.95 ? '99.9' : p.toFixed(1)}%`;
}
