/**
 * Keyset pagination over ids (unique and time-sortable, so a page never repeats or skips a row
 * however many are inserted meanwhile): fetch `limit + 1` rows ordered by id, newest first, and
 * `cursor` is the last id of the previous page.
 */
export function page<T extends { id: string }>(rows: T[], limit: number): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? (data.at(-1)?.id ?? null) : null };
}
