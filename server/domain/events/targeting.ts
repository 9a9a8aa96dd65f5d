import { and, asc, eq, gt, lte, ne } from 'drizzle-orm';
import { subscriptions } from '../../../drizzle/schema';
import type { FilteredOut } from '../../../drizzle/schema';
import type { Tx } from '../../db/client';
import { firstMatch } from '../patterns';
import { inChannels } from '../channels';
import { evaluateFilter, type Filter } from '../filters';
import { parseJsonExact } from '../../json';
import { PLATFORM_CUSTOMER_ID } from '../platform-customer';

/**
 * A subscription an event goes to, with the fan-out's decision: `active` false makes the delivery
 * `held` (a paused or disabled subscription holds what it matches; nothing is dropped), and
 * `pattern` is the pattern that matched (null for a test event), kept for the routing trace.
 */
export type Target = { id: string; customerId: string; active: boolean; pattern: string | null };

/** A subscription as the fan-out reads it. */
export type Candidate = {
  id: string;
  customerId: string;
  eventTypes: string[];
  channels: string[];
  active: boolean;
  filter: Filter | null;
};

/** What the fan-out decides for one event: where it goes, and which subscriptions a filter kept it from. */
export type Routing = { targets: Target[]; filteredOut: FilteredOut[] };

/** At most this many filter decisions are stored per event for the routing trace (events.filtered_out). */
export const FILTER_TRACE_LIMIT = 100;

/** The columns `targetsOf` needs. */
export const candidateColumns = {
  id: subscriptions.id,
  customerId: subscriptions.customerId,
  eventTypes: subscriptions.eventTypes,
  channels: subscriptions.channels,
  active: subscriptions.active,
  filter: subscriptions.filter,
};

/** The delivered body, parsed on first use only (most subscriptions have no filter), numbers exact (for filters). */
export function lazyBody(text: string): () => unknown {
  let parsed: { v: unknown } | null = null;
  return () => (parsed ??= { v: parseJsonExact(text) }).v;
}

/**
 * The targets among `subs` for an event of `type` in `channels`: every subscription, on or off, with
 * a matching pattern, channels that let the event in (server/domain/channels.ts) and a filter that
 * holds on the body; and those a filter excluded, with the condition that failed. (A channel
 * mismatch is not recorded: the routing trace derives it from the event's and the subscription's channels.)
 */
export function targetsOf(
  subs: Candidate[],
  type: string,
  body: () => unknown,
  channels: readonly string[] = [],
): Routing {
  const targets: Target[] = [];
  const filteredOut: FilteredOut[] = [];
  for (const s of subs) {
    const pattern = firstMatch(s.eventTypes, type);
    if (!pattern || !inChannels(s.channels, channels)) continue;
    const verdict = s.filter ? evaluateFilter(s.filter, body()) : null;
    if (verdict && !verdict.matches)
      filteredOut.push({ subscriptionId: s.id, customerId: s.customerId, pattern, failed: verdict.failed });
    else targets.push({ id: s.id, customerId: s.customerId, active: s.active, pattern });
  }
  return { targets, filteredOut };
}

/**
 * Subscriptions whose patterns match `type` and whose filters hold on `body` (of one customer, or of
 * all for a broadcast), paused ones included, one page after subscription id `after`; only those
 * that existed when the event was accepted (`createdBefore`). `more` says whether another page may follow.
 */
export async function matchingPage(
  tx: Tx,
  customerId: string | null,
  type: string,
  channels: readonly string[],
  body: () => unknown,
  after: string,
  pageSize: number,
  createdBefore?: Date,
): Promise<{ matching: Target[]; filteredOut: FilteredOut[]; more: boolean; last: string | null }> {
  const page = await tx
    .select(candidateColumns)
    .from(subscriptions)
    .where(
      and(
        gt(subscriptions.id, after),
        // A broadcast goes to every customer's subscriptions, never to the operational webhooks.
        customerId ? eq(subscriptions.customerId, customerId) : ne(subscriptions.customerId, PLATFORM_CUSTOMER_ID),
        createdBefore ? lte(subscriptions.createdAt, createdBefore) : undefined,
      ),
    )
    .orderBy(asc(subscriptions.id))
    .limit(pageSize);
  const { targets, filteredOut } = targetsOf(page, type, body, channels);
  return { matching: targets, filteredOut, more: page.length === pageSize, last: page.at(-1)?.id ?? null };
}
