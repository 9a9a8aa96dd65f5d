'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useMemo } from 'react';
import { validatePattern } from '@/server/domain/patterns';

const subscriptionId = /^sub_[0-9A-HJKMNP-TV-Z]{26}$/;

export const deadLetterRanges = [
  { value: '', label: 'Any time', ms: 0 },
  { value: '1h', label: 'Last hour', ms: 3600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
] as const;

export type DeadLetterFilters = { sub: string; type: string; range: string };

/**
 * The dead-letter page's filters, in the URL (?sub=…&type=…&range=24h): shareable, kept by a refresh
 * and by the back button. They are also the scope of "Replay all". A change starts at page 1.
 */
export function useDeadLetterFilters() {
  const params = useSearchParams();
  const router = useRouter();
  const path = usePathname();
  const filters: DeadLetterFilters = { sub: params.get('sub') ?? '', type: params.get('type') ?? '', range: params.get('range') ?? '' };
  const set = (patch: Partial<DeadLetterFilters>, opts: { push?: boolean } = {}) => {
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
 * The API filter for the page (and for "Replay all"), and what is wrong with the typed event type.
 * Only well-formed values are sent (the API would refuse the rest with a 400). A relative window
 * starts when it was chosen, so the query key holds still.
 */
export function useDeadLetterQuery(filters: DeadLetterFilters) {
  const { sub, type, range } = filters;
  return useMemo(() => {
    const input: { subscriptionId?: string; eventType?: string; from?: string } = {};
    let problem: string | null = null;
    if (subscriptionId.test(sub)) input.subscriptionId = sub;
    const t = type.trim();
    if (t) {
      const reason = validatePattern(t);
      if (reason) problem = `"${t}" is not an event type or pattern: ${reason}.`;
      else input.eventType = t;
    }
    const preset = deadLetterRanges.find((r) => r.value === range);
    if (preset && preset.ms > 0) input.from = new Date(Date.now() - preset.ms).toISOString();
    return { input, problem };
  }, [sub, type, range]);
}
