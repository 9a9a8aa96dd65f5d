import { platformScope, type Ctx } from '../../server/domain/context';
import { publishEvent } from '../../server/domain/events/publish';
import { suffixOf } from '../../server/domain/upkeep/partitions';
import { onlyDelivery, waitForStatus } from './engine';

/** Events published as if in the past, for the retention and partition tests. */
export const DAY = 86_400_000;

/** The start of the UTC day that holds `t` (ms). */
export const midnight = (t: number) => Math.floor(t / DAY) * DAY;

/** The suffix of the one-day partition that holds the time `days` ago. */
export const suffixDaysAgo = (days: number) => suffixOf(midnight(Date.now() - days * DAY));

/** `ctx` with a clock that reads `days` ago (ids, created_at and retention_until follow it), and `config` over its configuration. */
export const agedCtx = (ctx: Ctx, days: number, config: Partial<Ctx['config']> = {}): Ctx => ({
  ...ctx,
  now: () => new Date(Date.now() - days * DAY),
  config: { ...ctx.config, ...config },
});

/** Publishes an `order.created` of `customerId` as if `days` ago (with `config`) and waits for its one delivery to succeed. */
export async function publishAged(ctx: Ctx, customerId: string, days: number, config: Partial<Ctx['config']> = {}) {
  const event = await publishEvent(agedCtx(ctx, days, config), platformScope, {
    type: 'order.created',
    data: { days },
    customerId,
  });
  const delivery = await onlyDelivery(ctx, event.id);
  await waitForStatus(ctx, delivery.id, 'succeeded');
  return { eventId: event.id, deliveryId: delivery.id, customerId };
}
