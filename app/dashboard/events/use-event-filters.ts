'use client';

import { useMemo } from 'react';
import { deliveryStatuses, type DeliveryStatus } from '@/drizzle/schema/values';
import { validatePattern } from '@/server/domain/patterns';
import { CHANNEL_NAME, TAG_NAME } from '@/server/domain/channels';
import { subscriptionIdPattern, timeRanges, useUrlFilters } from '../_components/url-filters';

/** Well-formed ids, as the API checks them (server/domain/ids.ts); a malformed one is not sent. */
const eventId = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;
const subscriptionId = subscriptionIdPattern;

export { timeRanges };

export type EventFilters = {
  q: string;
  status: string;
  sub: string;
  tag: string;
  channel: string;
  range: string;
  from: string;
  to: string;
};
const keys = ['q', 'status', 'sub', 'tag', 'channel', 'range', 'from', 'to'] as const;

/**
 * The event log's filters live in the URL: shareable, kept by a refresh and by the back button from
 * an event's page. A chosen filter is a history entry (back undoes it); typing in the search replaces
 * the entry as it goes. Any change starts again at the first page (the `pages` cursors are dropped).
 */
export function useEventFilters() {
  return useUrlFilters(keys);
}

/**
 * The API input for the filters, and what is wrong with the search text if it is neither an event id
 * nor a type pattern (checked here with the API's own rules, so the log never asks for a 400).
 * A relative window starts when it was chosen (stable query key).
 */
export function useEventQueryInput(filters: EventFilters) {
  const { q, status, sub, tag, channel, range, from, to } = filters;
  return useMemo(() => {
    const text = q.trim();
    const preset = timeRanges.find((r) => r.value === range);
    const input: {
      id?: string;
      type?: string;
      status?: DeliveryStatus;
      subscriptionId?: string;
      tag?: string;
      channel?: string;
      from?: string;
      to?: string;
    } = {};
    let problem: string | null = null;
    /** Which filter the problem is with: the search box is marked invalid only for its own. */
    let problemIn: 'q' | 'tag' | 'channel' | null = null;
    if (text.startsWith('evt_')) {
      if (eventId.test(text)) input.id = text;
      else [problem, problemIn] = ['Event ids look like evt_ followed by 26 letters and digits.', 'q'];
    } else if (text) {
      const reason = validatePattern(text);
      if (reason) [problem, problemIn] = [`"${text}" is not an event type or pattern: ${reason}.`, 'q'];
      else input.type = text;
    }
    if ((deliveryStatuses as readonly string[]).includes(status)) input.status = status as DeliveryStatus;
    if (subscriptionId.test(sub)) input.subscriptionId = sub;
    if (tag) {
      if (TAG_NAME.test(tag)) input.tag = tag;
      else if (!problem) [problem, problemIn] = ['A tag is 1 to 64 characters, without control characters.', 'tag'];
    }
    if (channel) {
      if (CHANNEL_NAME.test(channel)) input.channel = channel;
      else if (!problem) [problem, problemIn] = ['A channel is 1 to 64 of A-Z a-z 0-9 . _ : - only.', 'channel'];
    }
    if (range === 'custom') {
      if (from && !Number.isNaN(Date.parse(from))) input.from = new Date(from).toISOString();
      if (to && !Number.isNaN(Date.parse(to))) input.to = new Date(to).toISOString();
    } else if (preset && preset.ms > 0) {
      input.from = new Date(Date.now() - preset.ms).toISOString();
    }
    return { input, problem, problemIn };
  }, [q, status, sub, tag, channel, range, from, to]);
}
