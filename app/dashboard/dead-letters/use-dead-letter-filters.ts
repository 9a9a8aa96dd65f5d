'use client';

import { useMemo } from 'react';
import { validatePattern } from '@/server/domain/patterns';
import { subscriptionIdPattern, timeRanges, useUrlFilters } from '../_components/url-filters';

const subscriptionId = subscriptionIdPattern;

/** The event log's windows, without a custom range. */
export const deadLetterRanges = timeRanges.filter((r) => r.value !== 'custom');

export type DeadLetterFilters = { sub: string; type: string; range: string };

/**
 * The dead-letter page's filters, in the URL (?sub=…&type=…&range=24h): shareable, kept by a refresh
 * and by the back button. They are also the scope of "Replay all". A change starts at page 1.
 */
export function useDeadLetterFilters() {
  return useUrlFilters(['sub', 'type', 'range'] as const);
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
