'use client';

import { useState } from 'react';
import { Button } from '../../_components/button';
import { Mono } from '../../_components/code';
import { DateTimeField, toLocalInput, viewerTimeZone } from '../../_components/date-time-field';
import { describeError } from '../../_components/errors';
import { FormDialog } from '../../_components/form-dialog';
import { IconReplay, IconSpinner } from '../../_components/icons';
import { useReadOnly } from '../../_components/session';
import { useSubscriptionUrls } from '../_components/use-subscription-urls';
import { useReplays, useStartReplay } from './use-bulk-replays';
import { useDeadLetterFilters, useDeadLetterQuery } from './use-dead-letter-filters';

/**
 * Recover after an outage: every dead letter created since a moment (of the page's subscription,
 * when one is picked), in one bulk replay, like "Replay all".
 */
export function ReplaySinceButton({ disabled }: { disabled: boolean }) {
  const readOnly = useReadOnly();
  const { filters } = useDeadLetterFilters();
  const { input } = useDeadLetterQuery(filters);
  const [open, setOpen] = useState(false);
  const [since, setSince] = useState('');
  const [error, setError] = useState<string | null>(null);
  const replays = useReplays();
  const running = replays.data?.data.find((r) => r.status === 'running');
  const start = useStartReplay();
  const [busy, setBusy] = useState(false);
  const urls = useSubscriptionUrls();
  if (readOnly) return null;
  return (
    <>
      <Button
        onClick={() => {
          setSince(toLocalInput(new Date(Date.now() - 3600_000)));
          setError(null);
          setOpen(true);
        }}
        disabled={disabled || !!running}
      >
        <IconReplay className="size-4" /> Replay since…
      </Button>
      <FormDialog
        open={open}
        onClose={() => setOpen(false)}
        title="Replay what failed since…"
        description="For after an outage: every dead letter created since then is sent again, in one paced bulk replay."
        onSubmit={() => {
          const at = new Date(since);
          if (!since || Number.isNaN(at.getTime())) return setError('Pick a date and time.');
          if (at.getTime() > Date.now()) return setError('Pick a moment in the past.');
          setBusy(true);
          setError(null);
          start({ from: at.toISOString(), ...(input.subscriptionId && { subscriptionId: input.subscriptionId }) })
            .then(() => setOpen(false))
            .catch((err: unknown) => setError(describeError(err)))
            .finally(() => setBusy(false));
        }}
        actions={
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? <IconSpinner className="size-3.5 animate-spin" /> : <IconReplay className="size-3.5" />}
            Replay since then
          </Button>
        }
      >
        <DateTimeField
          id="replay-since"
          label="Created since"
          error={error}
          hint={`In your time zone (${viewerTimeZone()}).`}
          value={since}
          onChange={setSince}
        />
        <p className="text-sm text-zinc-600 dark:text-zinc-300">
          {input.subscriptionId ? (
            <>
              Only dead letters of <Mono>{urls?.get(input.subscriptionId) ?? input.subscriptionId}</Mono> (the
              subscription picked on this page).
            </>
          ) : (
            'Dead letters of every subscription.'
          )}
        </p>
      </FormDialog>
    </>
  );
}
