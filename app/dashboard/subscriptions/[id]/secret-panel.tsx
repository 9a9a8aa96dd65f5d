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

/** What a receiver verifies with, by signature scheme: a shared secret (v1) or a public key (v1a). */
const schemes = {
  v1: {
    title: 'Signing secret',
    description: 'Verify the webhook-signature header with it (Standard Webhooks, HMAC-SHA256). Keep it private.',
    hidden: 'whsec_••••••••••••••••••••••••••••••••',
    noun: 'secret',
    rotateTitle: 'Rotate the signing secret?',
    rotateLabel: 'Rotate secret',
    rotated: 'Rotated: the previous secret also signs until',
  },
  v1a: {
    title: 'Public key',
    description:
      'Verify the v1a (Ed25519) signature of the webhook-signature header with it. It is public: share it freely.',
    hidden: 'whpk_••••••••••••••••••••••••••••••••',
    noun: 'public key',
    rotateTitle: 'Rotate the key pair?',
    rotateLabel: 'Rotate key pair',
    rotated: 'Rotated: the previous key pair also signs until',
  },
} as const;

/**
 * What the receiver verifies with: hidden until revealed, copyable, rotatable (the old one signs for
 * 24 h more). A v1 secret is revealed only to a session that may write; a v1a public key to anyone,
 * and is shown at once when the page already has it (right after creating the subscription).
 */
export function SecretPanel({ sub }: { sub: Subscription }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const key = trpc.subscriptions.secret.queryKey({ id: sub.id });
  const [revealed, setRevealed] = useState(() => sub.signatureScheme === 'v1a' && qc.getQueryData(key) !== undefined);
  const [rotating, setRotating] = useState(false);
  const secret = useQuery({
    ...trpc.subscriptions.secret.queryOptions({ id: sub.id }),
    enabled: revealed,
    staleTime: Infinity,
  });
  const s = schemes[sub.signatureScheme];
  const reveal = (
    <Button size="sm" onClick={() => setRevealed((r) => !r)} aria-pressed={revealed}>
      {revealed ? <IconEyeOff className="size-3.5" /> : <IconEye className="size-3.5" />}
      {revealed ? 'Hide' : 'Reveal'}
    </Button>
  );
  const rotate = useMutation(trpc.subscriptions.rotateSecret.mutationOptions());
  const rotationEnds =
    sub.secretRotationEndsAt && new Date(sub.secretRotationEndsAt).getTime() > Date.now()
      ? sub.secretRotationEndsAt
      : null;
  return (
    <Panel title={s.title} description={s.description} bodyClassName="space-y-3 p-4">
      {/* The whole secret, wrapping: a cut one ("whsec_abc…") cannot be checked against a receiver's copy. */}
      <code
        data-testid="secret-value"
        className="block rounded-md bg-zinc-50 px-2.5 py-1.5 font-mono text-xs break-all text-zinc-800 ring-1 ring-zinc-200 ring-inset dark:bg-zinc-950 dark:text-zinc-200 dark:ring-zinc-800"
      >
        {revealed ? (secret.data?.secret ?? (secret.error ? `Could not load the ${s.noun}` : 'Loading…')) : s.hidden}
      </code>
      <div className="flex flex-wrap items-center gap-2">
        {/* A read-only session cannot reveal v1 secrets (the API refuses it too). */}
        {sub.signatureScheme === 'v1' ? <Writable>{reveal}</Writable> : reveal}
        {revealed && secret.data && <CopyButton text={secret.data.secret} label={`Copy ${s.noun}`} />}
      </div>
      {secret.error && revealed && (
        <p className="text-xs text-red-600 dark:text-red-400">{describeError(secret.error)}</p>
      )}
      {rotationEnds && (
        <p className="text-xs text-amber-700 dark:text-amber-400">
          {s.rotated} <DateTime at={rotationEnds} />.
        </p>
      )}
      <Writable>
        <Button size="sm" onClick={() => setRotating(true)}>
          <IconKey className="size-3.5" /> {s.rotateLabel}
        </Button>
        <ConfirmDialog
          open={rotating}
          onClose={() => setRotating(false)}
          title={s.rotateTitle}
          confirmLabel={s.rotateLabel}
          onConfirm={async () => {
            const r = await rotate.mutateAsync({ id: sub.id });
            qc.setQueryData(key, { secret: r.secret });
            await qc.invalidateQueries({ queryKey: trpc.subscriptions.get.queryKey({ id: sub.id }) });
            setRevealed(true);
            toast({
              tone: 'success',
              title: sub.signatureScheme === 'v1a' ? 'Key pair rotated' : 'Secret rotated',
              description: 'Deliveries carry both signatures for 24 hours; update your receiver within that time.',
            });
          }}
        >
          <p>
            A new {sub.signatureScheme === 'v1a' ? 'signing key (with a new public key)' : 'secret'} signs every
            delivery from now on. For 24 hours deliveries carry a second signature made with the current{' '}
            {sub.signatureScheme === 'v1a' ? 'key' : 'secret'}, so your receiver keeps verifying while you update it.
          </p>
        </ConfirmDialog>
      </Writable>
    </Panel>
  );
}
