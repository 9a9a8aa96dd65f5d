'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import Link from 'next/link';
import { useState } from 'react';
import type { AppRouter } from '@/server/api/root';
import { plural } from '@/server/domain/wording';
import { Button } from '../../../_components/button';
import { Mono } from '../../../_components/code';
import { Dialog } from '../../../_components/dialog';
import { describeError } from '../../../_components/errors';
import { Panel } from '../../../_components/panel';
import { PanelError } from '../../../_components/states';
import { useReadOnly } from '../../../_components/session';
import { Badge } from '../../../_components/status';
import { RelativeTime } from '../../../_components/time';
import { useToast } from '../../../_components/toast';
import { useTRPC } from '../../../_components/trpc';
import type { Subscription } from '../../_components/types';

/**
 * Blocked ordering lanes (server/domain/delivery/lanes.ts): a lane whose head keeps failing, or
 * whose dead head holds a strict lane. Each shows what its head met and how many wait behind it,
 * with "Skip head" to move the lane on. Shown only when a lane is blocked.
 */
type Lane = inferRouterOutputs<AppRouter>['subscriptions']['lanes']['data'][number];

export function BlockedLanes({ sub }: { sub: Subscription }) {
  const trpc = useTRPC();
  const { data, error, refetch } = useQuery({
    ...trpc.subscriptions.lanes.queryOptions({ id: sub.id, limit: 50 }),
    refetchInterval: 5000,
  });
  const [skipping, setSkipping] = useState<Lane | null>(null);
  if (error)
    return (
      <Panel title="Blocked ordering lanes">
        <PanelError error={error} title="Could not load ordering lanes" onRetry={() => void refetch()} />
      </Panel>
    );
  if (!data || data.data.length === 0) return null;
  return (
    <Panel
      title={`Blocked ordering lanes (${data.data.length}${data.nextCursor ? '+' : ''})`}
      actions={
        <span className="text-xs text-zinc-500 dark:text-zinc-400">
          {sub.ordering === 'strict' ? 'Strict: a dead head holds its lane' : 'Lenient'}
        </span>
      }
    >
      <ul
        className="divide-y divide-zinc-100 dark:divide-zinc-800"
        aria-label="Blocked ordering lanes"
        data-testid="blocked-lanes"
      >
        {data.data.map((lane) => (
          <LaneRow key={lane.orderingKey} lane={lane} onSkip={() => setSkipping(lane)} />
        ))}
      </ul>
      {skipping && <SkipHeadDialog sub={sub} lane={skipping} onClose={() => setSkipping(null)} />}
    </Panel>
  );
}

function LaneRow({ lane, onSkip }: { lane: Lane; onSkip: () => void }) {
  const readOnly = useReadOnly();
  const h = lane.head;
  return (
    <li
      className="flex flex-wrap items-start justify-between gap-3 px-4 py-3"
      data-testid="blocked-lane"
      data-key={lane.orderingKey}
    >
      <div className="min-w-0 space-y-1">
        <div className="flex flex-wrap items-center gap-2">
          <Mono className="text-sm break-all">{lane.orderingKey}</Mono>
          {h.status === 'dead' ? (
            <Badge tone="red">Dead letter holds the lane</Badge>
          ) : (
            <Badge tone="amber">Head failing</Badge>
          )}
          <span className="text-xs text-zinc-500 dark:text-zinc-400">
            {lane.waiting === 1 ? '1 delivery' : `${lane.waiting} deliveries`} waiting behind it
          </span>
        </div>
        <p className="text-xs text-zinc-600 dark:text-zinc-400">
          Head{' '}
          <Link
            href={`/dashboard/events/${h.eventId}`}
            className="font-mono text-indigo-600 hover:underline dark:text-indigo-400"
          >
            {h.deliveryId}
          </Link>
          : {plural(h.attemptCount, 'attempt')}
          {h.lastError && <>, last {h.lastError}</>}
          {h.lastAttemptAt && (
            <>
              {' '}
              (<RelativeTime at={h.lastAttemptAt} />)
            </>
          )}
          {h.status === 'pending' && h.nextAttemptAt && (
            <>
              ; next attempt <RelativeTime at={h.nextAttemptAt} future />
            </>
          )}
        </p>
      </div>
      {!readOnly && (
        <Button size="sm" variant="secondary" onClick={onSkip}>
          Skip head
        </Button>
      )}
    </li>
  );
}

function SkipHeadDialog({ sub, lane, onClose }: { sub: Subscription; lane: Lane; onClose: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const [problem, setProblem] = useState<string | null>(null);
  const skip = useMutation(
    trpc.subscriptions.skipLaneHead.mutationOptions({
      onSuccess: async () => {
        await qc.invalidateQueries({ queryKey: trpc.subscriptions.lanes.pathKey() });
        await qc.invalidateQueries({ queryKey: trpc.deliveries.list.pathKey() });
        toast({
          tone: 'success',
          title: `Lane ${lane.orderingKey} moved on`,
          description: 'Its head is a dead letter you can replay; the next delivery goes now.',
        });
        onClose();
      },
      onError: (err) => setProblem(describeError(err)),
    }),
  );
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Skip the head of lane ${lane.orderingKey}?`}
      description={
        lane.head.status === 'dead'
          ? 'The dead letter stops holding the lane; it stays a dead letter you can replay later (out of order).'
          : 'Its retries stop: it becomes a dead letter you can replay later (out of order). The deliveries behind it go now, in order.'
      }
    >
      {problem && (
        <p role="alert" className="mb-3 text-sm text-red-700 dark:text-red-400">
          {problem}
        </p>
      )}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button
          variant="danger"
          onClick={() => skip.mutate({ id: sub.id, orderingKey: lane.orderingKey })}
          disabled={skip.isPending}
        >
          Skip head
        </Button>
      </div>
    </Dialog>
  );
}
