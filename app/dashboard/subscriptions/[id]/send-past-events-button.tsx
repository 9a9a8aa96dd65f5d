'use client';

import { useState } from 'react';
import { Button } from '../../../_components/button';
import { IconClock } from '../../../_components/icons';
import { useReadOnly } from '../../../_components/session';
import type { Subscription } from '../../_components/types';
import { SendPastEventsDialog } from './send-past-events-dialog';
import { useBackfills } from './use-backfills';

/** The action: opens the form. Not in a read-only session. */
export function SendPastEventsButton({ sub }: { sub: Subscription }) {
  const readOnly = useReadOnly();
  const [open, setOpen] = useState(false);
  const latest = useBackfills(sub.id).data?.data[0];
  const running = latest?.status === 'running';
  if (readOnly) return null;
  return (
    <>
      <Button
        onClick={() => setOpen(true)}
        disabled={running || !sub.active}
        title={
          running
            ? 'A backfill of this subscription is running'
            : !sub.active
              ? 'Resume the subscription to send it past events'
              : undefined
        }
      >
        <IconClock className="size-4" /> Send past events
      </Button>
      {open && <SendPastEventsDialog sub={sub} onClose={() => setOpen(false)} />}
    </>
  );
}
