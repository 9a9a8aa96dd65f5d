'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTRPC } from '../../_components/trpc';

/** The customer's subscriptions (for filters and for showing endpoints instead of ids). */
export function useSubscriptions() {
  const trpc = useTRPC();
  return useQuery({ ...trpc.subscriptions.list.queryOptions({ limit: 200 }), staleTime: 30_000 });
}

export function useSubscriptionUrls(): Map<string, string> | undefined {
  const { data } = useSubscriptions();
  return useMemo(() => (data ? new Map(data.data.map((s) => [s.id, s.url])) : undefined), [data]);
}
