'use client';

import { useState } from 'react';
import { Button } from '../../_components/button';
import { Mono } from '../../_components/code';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { IconReplay } from '../../_components/icons';
import { useReadOnly } from '../../_components/session';
import { useReplays, useScopeWords, useStartReplay } from './use-bulk-replays';
import { deadLetterRanges, useDeadLetterFilters, useDeadLetterQuery } from './use-dead-letter-filters';

/** "Replay all": one bulk replay of the dead letters matching the page's filters. */
export function ReplayAllButton({ disabled }: { disabled: boolean }) {
  const readOnly = useReadOnly();
  const { filters } = useDeadLetterFilters();
  const { input, problem } = useDeadLetterQuery(filters);
  const [open, setOpen] = useState(false);
  const replays = useReplays();
  const running = replays.data?.data.find((r) => r.status === 'running');
  const start = useStartReplay();
  const scoped = Object.keys(input).length > 0;
  const rangeLabel = deadLetterRanges.find((r) => r.value === filters.range && r.ms > 0)?.label.toLowerCase();
  const scope = useScopeWords({ ...input, from: undefined });
  if (readOnly) return null;
  return (
    <>
      <Button
        variant="primary"
        onClick={() => setOpen(true)}
        disabled={disabled || !!running || !!problem}
        title={running ? 'A replay is running; it shows its progress below' : undefined}
      >
        <IconReplay className="size-4" />{' '}
        {input.subscriptionId && !input.eventType && !input.from
          ? 'Replay all for this subscription'
          : scoped
            ? 'Replay all matching'
            : 'Replay all'}
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        title={
          input.subscriptionId && !input.eventType && !input.from
            ? 'Replay every dead letter of this subscription?'
            : scoped
              ? 'Replay every matching dead letter?'
              : 'Replay every dead letter?'
        }
        confirmLabel="Replay all"
        onConfirm={() => start(input)}
      >
        <p>
          {scoped ? (
            <>
              Every dead letter
              {input.subscriptionId || input.eventType ? (
                <>
                  {' '}
                  of <Mono>{scope}</Mono>
                </>
              ) : null}
              {rangeLabel && <> created in the {rangeLabel}</>}
            </>
          ) : (
            'Every dead letter of this account'
          )}{' '}
          is sent again, each with a fresh retry cycle. Hookrelay re-enqueues them in paced batches and sends your live
          traffic first, so nothing else slows down. You can cancel while it runs.
        </p>
      </ConfirmDialog>
    </>
  );
}
