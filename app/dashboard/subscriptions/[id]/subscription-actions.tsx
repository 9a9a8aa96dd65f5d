'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { Button } from '../../../_components/button';
import { describeError } from '../../../_components/errors';
import { IconPause, IconPencil, IconPlay, IconSend, IconSpinner, IconTrash } from '../../../_components/icons';
import { useReadOnly } from '../../../_components/session';
import { useToast } from '../../../_components/toast';
import { useTRPC } from '../../../_components/trpc';
import type { Subscription } from '../../_components/types';
import { ConfirmDialog } from '../../../_components/confirm-dialog';
import { Dialog } from '../../../_components/dialog';
import { EditSubscriptionDialog } from '../subscription-dialogs';
import { SendPastEventsButton } from './send-past-events-button';

/** Send test, send past events, pause/resume, edit, delete. None of it renders in a read-only session. */
export function SubscriptionActions({ sub }: { sub: Subscription }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const router = useRouter();
  const readOnly = useReadOnly();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [resuming, setResuming] = useState(false);
  const refresh = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: trpc.subscriptions.pathKey() }),
      qc.invalidateQueries({ queryKey: trpc.deliveries.pathKey() }),
    ]);

  const test = useMutation(
    trpc.subscriptions.test.mutationOptions({
      onSuccess: async (r) => {
        toast({
          tone: 'success',
          title: 'Test event sent',
          description: 'A hookrelay.test event is on its way to this endpoint.',
          link: { href: `/dashboard/deliveries/${r.deliveryId}`, label: 'Follow the delivery →' },
        });
        await refresh();
      },
      onError: (err) =>
        toast({ tone: 'error', title: 'Could not send the test event', description: describeError(err) }),
    }),
  );
  const toggle = useMutation(
    trpc.subscriptions.update.mutationOptions({
      onSuccess: async (s, input) => {
        const description = !s.active
          ? `New deliveries are held until you resume${s.heldDeliveries ? ` (${s.heldDeliveries} held now)` : ''}.`
          : input.heldDeliveries === 'discard'
            ? 'Held deliveries were discarded: they are dead letters now, and can still be replayed.'
            : 'Held deliveries are being sent now, in publish order.';
        toast({ tone: 'success', title: s.active ? 'Subscription resumed' : 'Subscription paused', description });
        await refresh();
      },
      onError: (err) =>
        toast({ tone: 'error', title: 'Could not change the subscription', description: describeError(err) }),
    }),
  );
  const remove = useMutation(trpc.subscriptions.delete.mutationOptions());

  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const sendRef = useRef<HTMLButtonElement>(null);
  const backRef = useRef<HTMLButtonElement>(null);
  const held = `${sub.heldDeliveries} held ${sub.heldDeliveries === 1 ? 'delivery' : 'deliveries'}`;
  const closeResume = () => {
    setResuming(false);
    setConfirmDiscard(false);
  };
  // After the dialog opened (its effect runs first): focus the safe choice, or "Back" when confirming a discard.
  useEffect(() => {
    if (resuming) (confirmDiscard ? backRef : sendRef).current?.focus();
  }, [resuming, confirmDiscard]);
  if (readOnly) return null;
  return (
    <>
      <Button onClick={() => test.mutate({ id: sub.id })} disabled={test.isPending}>
        {test.isPending ? <IconSpinner className="size-4 animate-spin" /> : <IconSend className="size-4" />} Send test
        event
      </Button>
      <SendPastEventsButton sub={sub} />
      <Button
        onClick={() =>
          !sub.active && sub.heldDeliveries > 0 ? setResuming(true) : toggle.mutate({ id: sub.id, active: !sub.active })
        }
        disabled={toggle.isPending}
      >
        {sub.active ? <IconPause className="size-4" /> : <IconPlay className="size-4" />}
        {sub.active ? 'Pause' : 'Resume'}
      </Button>
      <Button onClick={() => setEditing(true)}>
        <IconPencil className="size-4" /> Edit
      </Button>
      <Button
        variant="ghost"
        onClick={() => setDeleting(true)}
        aria-label="Delete subscription"
        title="Delete subscription"
      >
        <IconTrash className="size-4" />
      </Button>
      <EditSubscriptionDialog sub={sub} open={editing} onClose={() => setEditing(false)} />
      <Dialog
        open={resuming}
        onClose={closeResume}
        title={confirmDiscard ? `Discard ${held}?` : 'Resume this subscription?'}
      >
        {confirmDiscard ? (
          <div className="space-y-4 text-sm text-zinc-600 dark:text-zinc-300" data-testid="confirm-discard">
            <p>
              {held} will not be sent:{' '}
              {sub.heldDeliveries === 1 ? 'it becomes a dead letter' : 'they become dead letters'}, which you can still
              replay until they expire. The subscription resumes with new events only.
            </p>
            <div className="flex flex-wrap justify-end gap-2 pt-2">
              <Button ref={backRef} onClick={() => setConfirmDiscard(false)}>
                Back
              </Button>
              <Button
                variant="danger"
                disabled={toggle.isPending}
                onClick={() =>
                  toggle.mutate({ id: sub.id, active: true, heldDeliveries: 'discard' }, { onSettled: closeResume })
                }
              >
                Discard {held} and resume
              </Button>
            </div>
          </div>
        ) : (
          <div className="space-y-4 text-sm text-zinc-600 dark:text-zinc-300">
            <p>
              {sub.heldDeliveries} {sub.heldDeliveries === 1 ? 'delivery was' : 'deliveries were'} held while it was
              off. Send them now, in the order they were published, or discard them: discarded deliveries become dead
              letters, which you can still replay until they expire.
            </p>
            {/* The safe choice first, and focused: Enter sends what was held. Discarding asks again. */}
            <div className="flex flex-wrap gap-2 pt-2">
              <Button
                ref={sendRef}
                variant="primary"
                disabled={toggle.isPending}
                onClick={() =>
                  toggle.mutate({ id: sub.id, active: true, heldDeliveries: 'release' }, { onSettled: closeResume })
                }
              >
                Resume and send {sub.heldDeliveries} held
              </Button>
              <Button onClick={closeResume}>Cancel</Button>
              <Button
                variant="ghost"
                className="ml-auto text-red-700 dark:text-red-300"
                disabled={toggle.isPending}
                onClick={() => setConfirmDiscard(true)}
              >
                Discard held…
              </Button>
            </div>
          </div>
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting}
        onClose={() => setDeleting(false)}
        title="Delete this subscription?"
        confirmLabel="Delete subscription"
        danger
        onConfirm={async () => {
          await remove.mutateAsync({ id: sub.id });
          await qc.invalidateQueries({ queryKey: trpc.subscriptions.pathKey() });
          toast({ tone: 'success', title: 'Subscription deleted' });
          router.push('/dashboard/subscriptions');
        }}
      >
        <p>
          <span className="font-mono">{sub.url}</span> stops receiving events, and its delivery history is deleted with
          it. To stop deliveries for a while instead, pause it.
        </p>
      </ConfirmDialog>
    </>
  );
}
