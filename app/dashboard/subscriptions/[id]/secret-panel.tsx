'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '../../../_components/button';
import { CopyButton } from '../../../_components/copy-button';
import { IconEye, IconEyeOff, IconKey } from '../../../_components/icons';
import { Panel } from '../../../_components/panel';
import { Writable } from '../../../_components/session';
import { DateTime } from '../../../_components/time';
import { useToast } from '../../../_components/toast';
import { describeError } from '../../../_components/errors';
import { useTRPC } from '../../../_components/trpc';
import type { Subscription } from '../../_components/types';
import { ConfirmDialog } from '../../../_components/confirm-dialog';

/** The signing secret: hidden until revealed, copyable, rotatable (the old one signs for 24 h more). */
export function SecretPanel({ sub }: { sub: Subscription }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const [revealed, setRevealed] = useState(false);
  const [rotating, setRotating] = useState(false);
  const secret = useQuery({ ...trpc.subscriptions.secret.queryOptions({ id: sub.id }), enabled: revealed, staleTime: Infinity });
  const rotate = useMutation(trpc.subscriptions.rotateSecret.mutationOptions());
  const rotationEnds = sub.secretRotationEndsAt && new Date(sub.secretRotationEndsAt).getTime() > Date.now() ? sub.secretRotationEndsAt : null;
  return (
    <Panel title="Signing secret" description="Verify the webhook-signature header with it (Standard Webhooks)." bodyClassName="space-y-3 p-4">
      {/* The whole secret, wrapping: a cut one ("whsec_abc…") cannot be checked against a receiver's copy. */}
      <code
        data-testid="secret-value"
        className="block rounded-md bg-zinc-50 px-2.5 py-1.5 font-mono text-xs break-all text-zinc-800 ring-1 ring-zinc-200 ring-inset dark:bg-zinc-950 dark:text-zinc-200 dark:ring-zinc-800"
      >
        {revealed ? (secret.data?.secret ?? (secret.error ? 'Could not load the secret' : 'Loading…')) : 'whsec_••••••••••••••••••••••••••••••••'}
      </code>
      <div className="flex flex-wrap items-center gap-2">
        {/* A read-only session cannot reveal secrets (the API refuses it too). */}
        <Writable>
          <Button size="sm" onClick={() => setRevealed((r) => !r)} aria-pressed={revealed}>
            {revealed ? <IconEyeOff className="size-3.5" /> : <IconEye className="size-3.5" />}
            {revealed ? 'Hide' : 'Reveal'}
          </Button>
        </Writable>
        {revealed && secret.data && <CopyButton text={secret.data.secret} label="Copy secret" />}
      </div>
      {secret.error && revealed && <p className="text-xs text-red-600 dark:text-red-400">{describeError(secret.error)}</p>}
      {rotationEnds && (
        <p className="text-xs text-amber-700 dark:text-amber-400">
          Rotated: the previous secret also signs until <DateTime at={rotationEnds} />.
        </p>
      )}
      <Writable>
        <Button size="sm" onClick={() => setRotating(true)}>
          <IconKey className="size-3.5" /> Rotate secret
        </Button>
        <ConfirmDialog
          open={rotating}
          onClose={() => setRotating(false)}
          title="Rotate the signing secret?"
          confirmLabel="Rotate secret"
          onConfirm={async () => {
            const r = await rotate.mutateAsync({ id: sub.id });
            qc.setQueryData(trpc.subscriptions.secret.queryKey({ id: sub.id }), { secret: r.secret });
            await qc.invalidateQueries({ queryKey: trpc.subscriptions.get.queryKey({ id: sub.id }) });
            setRevealed(true);
            toast({
              tone: 'success',
              title: 'Secret rotated',
              description: 'Deliveries carry both signatures for 24 hours; update your receiver within that time.',
            });
          }}
        >
          <p>
            A new secret signs every delivery from now on. For 24 hours deliveries carry a second signature made with the current secret, so your receiver keeps
            verifying while you update it.
          </p>
        </ConfirmDialog>
      </Writable>
    </Panel>
  );
}
