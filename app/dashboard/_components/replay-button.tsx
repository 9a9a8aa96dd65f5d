'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button } from '../../_components/button';
import { describeError } from '../../_components/errors';
import { IconReplay, IconSpinner } from '../../_components/icons';
import { useReadOnly } from '../../_components/session';
import { useToast } from '../../_components/toast';
import { useTRPC } from '../../_components/trpc';

/**
 * One-click replay of a delivery: a new attempt now, same webhook-id, fresh signature. Hidden in
 * read-only sessions; disabled while the delivery already waits for an attempt.
 */
export function ReplayButton({
  deliveryId,
  status,
  size = 'sm',
  variant = 'secondary',
}: {
  deliveryId: string;
  status: string;
  size?: 'sm' | 'md';
  variant?: 'primary' | 'secondary';
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const readOnly = useReadOnly();
  const replay = useMutation(
    trpc.deliveries.replay.mutationOptions({
      onSuccess: async () => {
        toast({
          tone: 'success',
          title: 'Replay queued',
          description: 'A new attempt starts now; the timeline updates live.',
        });
        await Promise.all([
          qc.invalidateQueries({ queryKey: trpc.deliveries.pathKey() }),
          qc.invalidateQueries({ queryKey: trpc.events.pathKey() }),
          qc.invalidateQueries({ queryKey: trpc.stats.pathKey() }),
        ]);
      },
      onError: (err) => toast({ tone: 'error', title: 'Could not replay', description: describeError(err) }),
    }),
  );
  if (readOnly) return null;
  const pending = status === 'pending';
  return (
    <Button
      size={size}
      variant={variant}
      onClick={() => replay.mutate({ id: deliveryId })}
      disabled={pending || replay.isPending}
      title={
        pending
          ? 'This delivery is already waiting for its next attempt'
          : 'Send it again now (same webhook-id, fresh signature)'
      }
      data-testid="replay-button"
    >
      {replay.isPending ? <IconSpinner className="size-3.5 animate-spin" /> : <IconReplay className="size-3.5" />}
      Replay
    </Button>
  );
}
