'use client';

import { useQuery } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/api/root';
import { useTRPC } from '../../../_components/trpc';
import { runsPollInterval } from '../../_components/run-progress';

/**
 * "Send past events" (a backfill): the retained events of a time range that this subscription
 * matches today and never received, sent to it in one paced job. The form shows how many would be
 * sent before anything is; the subscription's page then shows the backfill's progress, like a bulk
 * replay's on the dead-letter page.
 */
export type Backfill = inferRouterOutputs<AppRouter>['subscriptions']['backfills']['data'][number];

/** The subscription's latest backfill: polled every second while it is live. */
export function useBackfills(id: string) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.subscriptions.backfills.queryOptions({ id, limit: 1 }),
    refetchInterval: (q) => runsPollInterval(q.state),
  });
}
