import { inArray } from 'drizzle-orm';
import { customers } from '../../drizzle/schema';
import type { Queryable } from '../db/client';
import type { Ctx } from './context';

const DAY = 86_400_000;

/**
 * Per-customer retention. A customer's events, with their deliveries and attempts, are kept for its
 * own `retentionDays` (null: the platform's RETENTION_DAYS), at most RETENTION_MAX_DAYS. An event's
 * `retention_until` is fixed when it is published, from its customer's setting then.
 *
 * Changing the setting:
 * - a shortening applies to the events already stored as well: their `retention_until` becomes
 *   `created_at` + the new days where that is sooner, in the same transaction. A customer who asks
 *   for less retention gets it for everything held; the hourly purge then removes them (a dropped
 *   time partition, or a bounded row delete where the partition still holds longer-lived events:
 *   upkeep/retention.ts).
 * - a lengthening applies to events published from then on. Events already stored keep their date:
 *   some past their old date may already be gone (purged row by row, or with their partition), so
 *   extending the rest would keep an arbitrary part of the history; and moving dates later would pin
 *   every time partition those events share with other customers for the longer time.
 */
export function retentionUntilOf(ctx: Ctx, createdAt: Date, retentionDays: number | null | undefined): Date {
  return new Date(createdAt.getTime() + (retentionDays ?? ctx.config.retentionDays) * DAY);
}

/** Each customer's retention days (null: the platform default), for a publish. */
export async function retentionDaysOf(q: Queryable, customerIds: string[]): Promise<Map<string, number | null>> {
  if (customerIds.length === 0) return new Map();
  const rows = await q
    .select({ id: customers.id, days: customers.retentionDays })
    .from(customers)
    .where(inArray(customers.id, customerIds));
  return new Map(rows.map((r) => [r.id, r.days]));
}
