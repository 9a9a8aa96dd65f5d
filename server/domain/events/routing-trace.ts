import { and, eq, inArray, lte } from 'drizzle-orm';
import { deliveries, events, subscriptions } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { evaluateFilter } from '../filters';
import { firstMatch } from '../patterns';
import { channelMismatch } from '../channels';
import { FILTER_TRACE_LIMIT, lazyBody } from './targeting';

/** The subscription columns the routing trace reads. */
const traceColumns = {
  id: subscriptions.id,
  url: subscriptions.url,
  eventTypes: subscriptions.eventTypes,
  channels: subscriptions.channels,
  filter: subscriptions.filter,
};

/** What the routing trace reads of an event (its own row, a customer's copy of a broadcast, or the broadcast itself). */
type TracedEvent = Pick<
  typeof events.$inferSelect,
  'customerId' | 'broadcast' | 'createdAt' | 'type' | 'channels' | 'filteredOut' | 'body'
>;

/**
 * An event's routing trace: for each of the customer's subscriptions, whether it matched (and by
 * which pattern) or why not, from the event's deliveries `ds`. A platform read of a broadcast spans
 * every customer: its matched entries are capped at `limit`, like its deliveries.
 */
export async function routingTrace(
  ctx: Ctx,
  scope: Scope,
  event: TracedEvent,
  ds: Array<typeof deliveries.$inferSelect>,
  limit: number,
) {
  const traceCustomer = scope.kind === 'customer' ? scope.customerId : event.broadcast ? null : event.customerId;
  // The routing trace is the fan-out's decision, not one recomputed from today's subscriptions: a
  // delivery records whether it matched (and by which pattern) or was held; a subscription that
  // existed when the event was accepted and has no delivery did not match then. Subscriptions
  // created afterwards are not listed.
  const subs = traceCustomer
    ? await ctx.db
        .select(traceColumns)
        .from(subscriptions)
        .where(and(eq(subscriptions.customerId, traceCustomer), lte(subscriptions.createdAt, event.createdAt)))
    : [];
  const byId = new Map(subs.map((s) => [s.id, s]));
  const missing = [...new Set(ds.map((d) => d.subscriptionId).filter((sid) => !byId.has(sid)))];
  if (missing.length) {
    const more = await ctx.db.select(traceColumns).from(subscriptions).where(inArray(subscriptions.id, missing));
    for (const s of more) byId.set(s.id, s);
  }
  const routed = ds
    .filter((d) => !traceCustomer || d.customerId === traceCustomer)
    .map((d) => {
      const s = byId.get(d.subscriptionId);
      const reason =
        d.route === 'test'
          ? 'test event sent to this subscription'
          : d.route === 'held'
            ? `matched "${d.matchedPattern}" while the subscription was paused or disabled: held until it is resumed`
            : `matched "${d.matchedPattern}"`;
      return {
        subscriptionId: d.subscriptionId,
        url: s?.url ?? '',
        eventTypes: s?.eventTypes ?? [],
        decision: d.route,
        matched: true,
        reason,
        failedCondition: null,
      };
    });
  const delivered = new Set(ds.map((d) => d.subscriptionId));
  // Filter decisions are recorded at fan-out (the first FILTER_TRACE_LIMIT of an event); past that
  // cap, a subscription's current filter is evaluated now on the stored body, and the trace says so.
  const recorded = new Map((event.filteredOut ?? []).map((f) => [f.subscriptionId, f]));
  const capped = (event.filteredOut?.length ?? 0) >= FILTER_TRACE_LIMIT;
  const body = lazyBody(event.body);
  const skipped = subs
    .filter((s) => !delivered.has(s.id))
    .map((s) => {
      const base = { subscriptionId: s.id, url: s.url, eventTypes: s.eventTypes, matched: false };
      const f = recorded.get(s.id);
      if (f)
        return {
          ...base,
          decision: 'filtered' as const,
          reason: `matched "${f.pattern}" but the filter excluded it: ${f.failed}`,
          failedCondition: f.failed,
        };
      // Channels: the subscription's (as they are now) against the event's, when its pattern matches.
      const matching = firstMatch(s.eventTypes, event.type);
      const outOfChannel = matching ? channelMismatch(s.channels, event.channels) : null;
      if (matching && outOfChannel)
        return {
          ...base,
          decision: 'not_matched' as const,
          reason: `matches "${matching}" but ${outOfChannel}`,
          failedCondition: null,
        };
      const pattern = capped && s.filter ? matching : null;
      const now = pattern && s.filter ? evaluateFilter(s.filter, body()) : null;
      if (pattern && now && !now.matches) {
        return {
          ...base,
          decision: 'filtered' as const,
          reason: `matches "${pattern}" but the filter excludes it: ${now.failed} (evaluated now with the current filter; not recorded at publish)`,
          failedCondition: now.failed,
        };
      }
      return {
        ...base,
        decision: 'not_matched' as const,
        reason: `no pattern matched "${event.type}" when the event was published`,
        failedCondition: null,
      };
    });
  return [...(traceCustomer ? routed : routed.slice(0, limit)), ...skipped];
}
