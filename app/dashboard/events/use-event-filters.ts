'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useMemo } from 'react';
import { validatePattern } from '@/server/domain/patterns';

/** Well-formed ids, as the API checks them (server/domain/ids.ts); a malformed one is not sent. */
const eventId = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;
const subscriptionId = /^sub_[0-9A-HJKMNP-TV-Z]{26}$/;

export const timeRanges = [
  { value: '', label: 'Any time', ms: 0 },
  { value: '1h', label: 'Last hour', ms: 3600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { value: 'custom', label: 'Custom range…', ms: 0 },
] as const;

export type EventFilters = { q: string; status: string; sub: string; range: string; from: string; to: string };
const keys = ['q', 'status', 'sub', 'range', 'from', 'to'] as const;

/**
 * The event log's filters live in the URL: shareable, kept by a refresh and by the back button from
 * an event's page. A chosen filter is a history entry (back undoes it); typing in the search replaces
 * the entry as it goes. Any change starts again at the first page (the `pages` cursors are dropped).
 */
export function useEventFilters() {
  const params = useSearchParams();
  const router = useRouter();
  const path = usePathname();
  const filters = Object.fromEntries(keys.map((k) => [k, params.get(k) ?? ''])) as EventFilters;
  const set = (patch: Partial<EventFilters>, opts: { push?: boolean } = {}) => {
    // From the live URL, not this render's params: a debounced update must not undo a newer one.
    const next = new URLSearchParams(window.location.search);
    let changed = false;
    for (const [k, v] of Object.entries(patch)) {
      if ((next.get(k) ?? '') === v) continue;
      changed = true;
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!changed) return;
    next.delete('pages');
    const qs = next.toString();
    const url = qs ? `${path}?${qs}` : path;
    if (opts.push) router.push(url, { scroll: false });
    else router.replace(url, { scroll: false });
  };
  return { filters, set, clear: () => router.push(path, { scroll: false }) };
}

/**
 * The API input for the filters, and what is wrong with the search text if it is neither an event id
 * nor a type pattern (checked here with the API's own rules, so the log never asks for a 400).
 * A relative window starts when it was chosen (stable query key).
 */
export function useEventQueryInput(filters: EventFilters) {
  const { q, status, sub, range, from, to } = filters;
  return useMemo(() => {
    const text = q.trim();
    const preset = timeRanges.find((r) => r.value === range);
    const input: { id?: string; type?: string; status?: 'pending' | 'succeeded' | 'dead' | 'held'; subscriptionId?: string; from?: string; to?: string } = {};
    let problem: string | null = null;
    if (text.startsWith('evt_')) {
      if (eventId.test(text)) input.id = text;
      else problem = 'Event ids look like evt_ followed by 26 letters and digits.';
    } else if (text) {
      const reason = validatePattern(text);
      if (reason) problem = `"${text}" is not an event type or pattern: ${reason}.`;
      else input.type = text;
    }
    if (status === 'pending' || status === 'succeeded' || status === 'dead' || status === 'held') input.status = status;
    if (subscriptionId.test(sub)) input.subscriptionId = sub;
    if (range === 'custom') {
      if (from && !Number.isNaN(Date.parse(from))) input.from = new Date(from).toISOString();
      if (to && !Number.isNaN(Date.parse(to))) input.to = new Date(to).toISOString();
    } else if (preset && preset.ms > 0) {
      input.from = new Date(Date.now() - preset.ms).toISOString();
    }
    return { input, problem };
  }, [q, status, sub, range, from, to]);
}
