'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type ReactNode } from 'react';
import { Button } from '../../_components/button';
import { Dialog } from '../../_components/dialog';
import { describeError } from '../../_components/errors';
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
      <Dialog open={open} onClose={() => setOpen(false)} title="New subscription" description="Choose where to send events and which event types to send." wide>
        <SubscriptionForm
          submitLabel="Create subscription"
          onCancel={() => setOpen(false)}
          onSubmit={async (v) => {
            const sub = await create.mutateAsync({ url: v.url, eventTypes: v.eventTypes, ...(v.description && { description: v.description }), ...(v.rateLimitPerSecond !== null && { rateLimitPerSecond: v.rateLimitPerSecond }) });
            await qc.invalidateQueries({ queryKey: trpc.subscriptions.pathKey() });
            setOpen(false);
            toast({ tone: 'success', title: 'Subscription created', description: 'Reveal its signing secret on this page to verify deliveries.' });
            router.push(`/dashboard/subscriptions/${sub.id}`);
          }}
        />
      </Dialog>
    </>
  );
}

export function EditSubscriptionDialog({ sub, open, onClose }: { sub: Subscription; open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const update = useMutation(trpc.subscriptions.update.mutationOptions());
  return (
    <Dialog open={open} onClose={onClose} title="Edit subscription" wide>
      <SubscriptionForm
        initial={{ url: sub.url, eventTypes: sub.eventTypes, description: sub.description, rateLimitPerSecond: sub.rateLimitPerSecond }}
        submitLabel="Save changes"
        onCancel={onClose}
        onSubmit={async (v) => {
          await update.mutateAsync({ id: sub.id, url: v.url, eventTypes: v.eventTypes, description: v.description, rateLimitPerSecond: v.rateLimitPerSecond });
          await qc.invalidateQueries({ queryKey: trpc.subscriptions.pathKey() });
          onClose();
          toast({ tone: 'success', title: 'Subscription saved' });
        }}
      />
    </Dialog>
  );
}

/** A yes/no question before something that cannot be undone. */
export function ConfirmDialog({
  open,
  onClose,
  title,
  children,
  confirmLabel,
  danger = false,
  onConfirm,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog open={open} onClose={onClose} title={title}>
      <div className="space-y-4 text-sm text-zinc-600 dark:text-zinc-300">
        {children}
        {error && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-red-700 dark:bg-red-950/50 dark:text-red-300">
            {error}
          </p>
        )}
        <div className="flex justify-end gap-2 pt-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant={danger ? 'danger' : 'primary'}
            disabled={busy}
            onClick={() => {
              setBusy(true);
              setError(null);
              onConfirm()
                .then(onClose)
                .catch((err: unknown) => setError(describeError(err)))
                .finally(() => setBusy(false));
            }}
          >
            {confirmLabel}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
