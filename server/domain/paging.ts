/**
 * Keyset pagination over ids (unique and time-sortable, so a page never repeats or skips a row
 * however many are inserted meanwhile): fetch `limit + 1` rows ordered by id, newest first, and
 * `cursor` is the last id of the previous page.
 */
export function page<T extends { id: string }>(rows: T[], limit: number): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? (data.at(-1)?.id ?? null) : null };
}

/**
 * A page of rows that carry payloads (whole event bodies, audit before/after) holds up to about this
 * many bytes of them, whatever its `limit`: without it one call could make the process hold `limit`
 * payloads of the largest size, and a tRPC batch of calls many times that.
 */
export const PAGE_PAYLOAD_BYTES = 2 * 1024 * 1024;

/**
 * `page`, also ending where the rows' `bytes` (their payload's stored size, read without the
 * payload) would pass `maxBytes`; it keeps at least one row, whatever its size, so paging always
 * moves on. `nextCursor` goes on from the last row kept.
 */
export function pageByBytes<T extends { id: string; bytes: number }>(
  rows: T[],
  limit: number,
  maxBytes = PAGE_PAYLOAD_BYTES,
): { data: T[]; nextCursor: string | null } {
  let kept = 0;
  let bytes = 0;
  while (kept < Math.min(rows.length, limit) && (kept === 0 || bytes + rows[kept]!.bytes <= maxBytes)) bytes += rows[kept++]!.bytes;
  const data = rows.slice(0, kept);
  return { data, nextCursor: rows.length > kept ? (data.at(-1)?.id ?? null) : null };
}
