import { parseJsonExact } from '../../json';
import { desc, inArray } from 'drizzle-orm';
import { events } from '../../../drizzle/schema';
import type { Ctx, Scope } from '../context';
import { evaluateFilter } from '../filters';
import { firstMatch } from '../patterns';
import { channelMismatch } from '../channels';
import type { TestFilterInput } from './inputs';
import { actingCustomer, assertWritable } from '../scope';
import { eventVisibility } from '../events/event-reads';

/** How many of the customer's latest events a dry run tries. */
const DRY_RUN_EVENTS = 100;

export type DryRunEvent = { id: string; type: string; matches: boolean; reason: string };

/**
 * `POST /subscriptions/test-filter`: which of the customer's latest 100 events (its own, and the
 * broadcasts that reached it) a subscription with these patterns, channels and filter would have been
 * sent, and why or why not. Nothing is stored. An authoring aid for a subscription, so, like
 * creating one, refused to a read-only session. Bodies are read only for the events whose type
 * matches, and only when there is a filter. Matching events come first, newest first within each group.
 */
export async function testFilter(
  ctx: Ctx,
  scope: Scope,
  input: TestFilterInput,
): Promise<{ events: DryRunEvent[]; matching: number; total: number }> {
  assertWritable(scope);
  const customerId = actingCustomer(scope, input.customerId);
  const latest = await ctx.db
    .select({ id: events.id, type: events.type, channels: events.channels })
    .from(events)
    .where(eventVisibility(customerId))
    .orderBy(desc(events.id))
    .limit(DRY_RUN_EVENTS);
  const patternOf = new Map(latest.map((e) => [e.id, firstMatch(input.eventTypes, e.type)]));
  const filter = input.filter && Object.keys(input.filter).length ? input.filter : null;
  const needBodies = filter
    ? latest.filter((e) => patternOf.get(e.id) && !channelMismatch(input.channels ?? [], e.channels)).map((e) => e.id)
    : [];
  const bodies = needBodies.length
    ? new Map(
        (
          await ctx.db.select({ id: events.id, body: events.body }).from(events).where(inArray(events.id, needBodies))
        ).map((r) => [r.id, r.body]),
      )
    : new Map<string, string>();
  const out = latest.map((e): DryRunEvent => {
    const pattern = patternOf.get(e.id);
    if (!pattern) return { id: e.id, type: e.type, matches: false, reason: `no pattern matches "${e.type}"` };
    const outOfChannel = channelMismatch(input.channels ?? [], e.channels);
    if (outOfChannel)
      return { id: e.id, type: e.type, matches: false, reason: `matches "${pattern}" but ${outOfChannel}` };
    if (!filter) return { id: e.id, type: e.type, matches: true, reason: `matches "${pattern}"` };
    const body = bodies.get(e.id);
    if (body === undefined) return { id: e.id, type: e.type, matches: false, reason: 'purged meanwhile' };
    // An expunged event's body is empty (lifecycle/expunge.ts): there is nothing to filter on.
    if (body === '') return { id: e.id, type: e.type, matches: false, reason: 'payload expunged' };
    const verdict = evaluateFilter(filter, parseJsonExact(body));
    return verdict.matches
      ? { id: e.id, type: e.type, matches: true, reason: `matches "${pattern}" and the filter holds` }
      : {
          id: e.id,
          type: e.type,
          matches: false,
          reason: `matches "${pattern}" but the filter excludes it: ${verdict.failed}`,
        };
  });
  // What would be delivered first (what the author looks for), each group newest first as read.
  const matching = out.filter((e) => e.matches);
  return { events: [...matching, ...out.filter((e) => !e.matches)], matching: matching.length, total: out.length };
}
