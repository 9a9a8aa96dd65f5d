'use client';

import { useQuery } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { useTRPC } from '../../_components/trpc';

export type Range = 'hour' | 'day';

/** The window the overview shows lives in the URL (?range=day), so a link shares it. */
export function useRange(): [Range, (r: Range) => void] {
  const params = useSearchParams();
  const router = useRouter();
  const range: Range = params.get('range') === 'day' ? 'day' : 'hour';
  return [range, (r) => router.replace(r === 'hour' ? '/dashboard' : `/dashboard?range=${r}`, { scroll: false })];
}

/** Every overview widget reads the same query (TanStack Query dedupes it), refreshed every 10 s. */
export function useOverview(range: Range) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.stats.overview.queryOptions({ range }),
    refetchInterval: 10_000,
    placeholderData: (prev) => prev,
  });
}
