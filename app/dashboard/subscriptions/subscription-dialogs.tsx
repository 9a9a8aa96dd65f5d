'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '../../_components/button';
import { Dialog } from '../../_components/dialog';
import { IconPlus } from '../../_components/icons';
import { useToast } from '../../_components/toast';
import { useTRPC } from '../../_components/trpc';
import type { Subscription } from '../_components/types';
import { SubscriptionForm } from './subscription-form';

export function NewSubscriptionButton({ variant = 'primary' }: { variant?: 'primary' | 'secondary' }) {
  const [open, setOpen] = useState(false);
  const trpc = useTRPC();
  const qc = useQueryClient();
  const router = useRouter();
  const toast = useToast();
  const create = useMutation(trpc.subscriptions.create.mutationOptions());
  return (
    <>
      <Button variant={variant} onClick={() => setOpen(true)}>
        <IconPlus className="size-4" /> New subscription
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title="New subscription"
        description="Choose where to send events and which event types to send."
        wide
      >
        <SubscriptionForm
          submitLabel="Create subscription"
          onCancel={() => setOpen(false)}
          onSubmit={async (v) => {
            const sub = await create.mutateAsync({
              url: v.url,
              eventTypes: v.eventTypes,
              ...(v.channels.length && { channels: v.channels }),
              ...(v.description && { description: v.description }),
              ...(v.rateLimitPerSecond !== null && { rateLimitPerSecond: v.rateLimitPerSecond }),
              ...(v.filter && { filter: v.filter }),
              ...(v.headers && { headers: v.headers }),
              ...(v.autoDisableAfterHours !== undefined && { autoDisableAfterHours: v.autoDisableAfterHours }),
              signatureScheme: v.signatureScheme,
              ...(v.traceContext && { traceContext: true }),
              ...(v.ordering === 'strict' && { ordering: 'strict' as const }),
              ...(v.auth && { auth: v.auth }),
              ...(v.transform !== null && { transform: v.transform }),
            });
            await qc.invalidateQueries({ queryKey: trpc.subscriptions.pathKey() });
            // A v1a public key is no secret: the page shows the one the creation returned straight away.
            if (sub.signatureScheme === 'v1a')
              qc.setQueryData(trpc.subscriptions.secret.queryKey({ id: sub.id }), { secret: sub.secret });
            setOpen(false);
            toast({
              tone: 'success',
              title: 'Subscription created',
              description:
                sub.signatureScheme === 'v1a'
                  ? 'Give its public key, on this page, to your receiver to verify deliveries.'
                  : 'Reveal its signing secret on this page to verify deliveries.',
            });
            router.push(`/dashboard/subscriptions/${sub.id}`);
          }}
        />
      </Dialog>
    </>
  );
}

export function EditSubscriptionDialog({
  sub,
  open,
  onClose,
}: {
  sub: Subscription;
  open: boolean;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const update = useMutation(trpc.subscriptions.update.mutationOptions());
  return (
    <Dialog open={open} onClose={onClose} title="Edit subscription" wide>
      <SubscriptionForm
        initial={{
          url: sub.url,
          eventTypes: sub.eventTypes,
          channels: sub.channels,
          description: sub.description,
          rateLimitPerSecond: sub.rateLimitPerSecond,
          filter: sub.filter,
          headers: sub.headers,
          signatureScheme: sub.signatureScheme,
          autoDisableAfterHours: sub.autoDisableAfterHours,
          traceContext: sub.traceContext,
          ordering: sub.ordering,
          authInfo: sub.auth,
          transform: sub.transform,
        }}
        submitLabel="Save changes"
        onCancel={onClose}
        onSubmit={async (v) => {
          await update.mutateAsync({
            id: sub.id,
            url: v.url,
            eventTypes: v.eventTypes,
            channels: v.channels,
            description: v.description,
            rateLimitPerSecond: v.rateLimitPerSecond,
            filter: v.filter,
            headers: v.headers,
            ...(v.autoDisableAfterHours !== undefined && { autoDisableAfterHours: v.autoDisableAfterHours }),
            traceContext: v.traceContext,
            ordering: v.ordering,
            ...(v.auth !== undefined && { auth: v.auth }),
            transform: v.transform,
          });
          await qc.invalidateQueries({ queryKey: trpc.subscriptions.pathKey() });
          onClose();
          toast({ tone: 'success', title: 'Subscription saved' });
        }}
      />
    </Dialog>
  );
}
