import { and, desc, lt, type SQL } from 'drizzle-orm';
import type { PgColumn, PgSelect } from 'drizzle-orm/pg-core';

/** What every list takes: how many rows a page holds, and the last id of the previous page. */
export type PageInput = { limit: number; cursor?: string | undefined };

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
  while (kept < Math.min(rows.length, limit) && (kept === 0 || bytes + rows[kept]!.bytes <= maxBytes))
    bytes += rows[kept++]!.bytes;
  const data = rows.slice(0, kept);
  return { data, nextCursor: rows.length > kept ? (data.at(-1)?.id ?? null) : null };
}

/**
 * The keyset list query: `query`'s rows matching `where` with an id below the cursor, newest id
 * first, `limit + 1` of them (the one past `limit` says whether there is a next page). `query` is a
 * dynamic select (`.$dynamic()`) without a where, an order or a limit of its own.
 */
export function keysetRows<Q extends PgSelect>(query: Q, id: PgColumn, where: SQL | undefined, input: PageInput): Q {
  return query
    .where(and(where, input.cursor ? lt(id, input.cursor) : undefined))
    .orderBy(desc(id))
    .limit(input.limit + 1);
}

/** One page of a list: `keysetRows` cut to `limit` by `page`, with the next page's cursor. */
export async function keysetPage<Q extends PgSelect & PromiseLike<Array<{ id: string }>>>(
  query: Q,
  id: PgColumn,
  where: SQL | undefined,
  input: PageInput,
): Promise<{ data: Awaited<Q>; nextCursor: string | null }> {
  const p = page(await keysetRows(query, id, where, input), input.limit);
  return { data: p.data as Awaited<Q>, nextCursor: p.nextCursor };
}
