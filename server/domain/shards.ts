import type { Ctx } from './context';

/**
 * Runs `fn` over `items` that may belong to several customers: once for all of them on PostgreSQL
 * (`customerId` undefined), or, on Citus (`ctx.config.distributed`), once per customer in customer
 * order, with that customer's id so that each statement filters by it and runs on one shard.
 */
export async function perCustomer<T, R = void>(
  ctx: Ctx,
  items: T[],
  customerOf: (item: T) => string,
  fn: (group: T[], customerId: string | undefined) => Promise<R>,
): Promise<R[]> {
  if (items.length === 0) return [];
  if (!ctx.config.distributed) return [await fn(items, undefined)];
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(customerOf(item), [...(groups.get(customerOf(item)) ?? []), item]);
  const results: R[] = [];
  for (const customerId of [...groups.keys()].sort()) results.push(await fn(groups.get(customerId)!, customerId));
  return results;
}
