'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { formatCount } from '../../_components/format';
import { formatFull } from '../../_components/time';
import { useToast } from '../../_components/toast';
import { useTRPC } from '../../_components/trpc';
import { runsPollInterval } from '../_components/run-progress';
import { useSubscriptionUrls } from '../_components/use-subscription-urls';

/** What a bulk replay covers: the dead letters of a subscription, of an event type, created since a moment. */
type ReplayScope = { subscriptionId?: string; eventType?: string; from?: string };

/** The account's bulk replays, latest first: polled every second while one is live. */
export function useReplays() {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.replays.list.queryOptions({}),
    refetchInterval: (q) => runsPollInterval(q.state),
  });
}

/** What a replay's filter covers, in words ("order.* · https://… · created since 10:00"). */
export function useScopeWords(filter: ReplayScope) {
  const urls = useSubscriptionUrls();
  return (
    [
      filter.subscriptionId && (urls?.get(filter.subscriptionId) ?? filter.subscriptionId),
      filter.eventType,
      filter.from && `created since ${formatFull(filter.from)}`,
    ]
      .filter(Boolean)
      .join(' · ') || 'all dead letters'
  );
}

/** Starts one bulk replay for `filter` and says what happened (already running, nothing matched, started). */
export function useStartReplay() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const create = useMutation(trpc.replays.create.mutationOptions());
  return async (filter: ReplayScope) => {
    const r = await create.mutateAsync(filter);
    await qc.invalidateQueries({ queryKey: trpc.replays.pathKey() });
    if (r.existing)
      toast({
        tone: 'success',
        title: 'A replay is already running',
        description: 'Its progress is shown on this page.',
      });
    else if (r.total === 0)
      toast({
        tone: 'success',
        title: 'Nothing to replay',
        description: 'No dead letter matches (or they are past retention).',
      });
    else
      toast({
        tone: 'success',
        title: 'Replay started',
        description: `${formatCount(r.total)} dead letter${r.total === 1 ? '' : 's'} will be sent again.`,
      });
  };
}
