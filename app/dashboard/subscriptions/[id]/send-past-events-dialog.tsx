'use client';

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '../../../_components/button';
import { DateTimeField, toLocalInput, viewerTimeZone } from '../../../_components/date-time-field';
import { describeError, fieldErrors } from '../../../_components/errors';
import { Field, Input } from '../../../_components/form';
import { FormDialog } from '../../../_components/form-dialog';
import { formatCount } from '../../../_components/format';
import { IconClock, IconSpinner } from '../../../_components/icons';
import { useToast } from '../../../_components/toast';
import { useTRPC } from '../../../_components/trpc';
import { useSettled } from '../../../_components/use-settled';
import type { Subscription } from '../../_components/types';
import { BackfillPreview } from './backfill-preview';
import { rangeOf, type BackfillRange } from './backfill-range';

/** The backfill's form: a time range and event types, with how many events it would send, counted as you type. */
export function SendPastEventsDialog({ sub, onClose }: { sub: Subscription; onClose: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const [from, setFrom] = useState(() => toLocalInput(new Date(Date.now() - 24 * 3600_000)));
  const [to, setTo] = useState('');
  const [eventTypes, setEventTypes] = useState('');
  const [error, setError] = useState<{ field: string; message: string } | null>(null);
  const range = rangeOf(from, to, eventTypes);
  const settled = useSettled('input' in range ? JSON.stringify(range.input) : null, 300);
  const input = settled ? (JSON.parse(settled) as BackfillRange) : null;
  const preview = useQuery({
    ...trpc.subscriptions.backfillPreview.queryOptions({
      id: sub.id,
      from: input?.from ?? '',
      ...(input?.to && { to: input.to }),
      ...(input?.eventTypes && { eventTypes: input.eventTypes.join(',') }),
    }),
    enabled: !!input,
    retry: false,
    placeholderData: keepPreviousData,
  });
  const start = useMutation(
    trpc.subscriptions.backfill.mutationOptions({
      onSuccess: async (b) => {
        await qc.invalidateQueries({ queryKey: trpc.subscriptions.backfills.pathKey() });
        toast({
          tone: 'success',
          title: b.total === 0 ? 'Nothing to send' : 'Sending past events',
          description:
            b.total === 0
              ? 'No retained event in that range matches this subscription.'
              : 'Its progress is shown on this page; you can cancel while it runs.',
        });
        onClose();
      },
      onError: (err) => {
        const [first] = fieldErrors(err);
        setError(first ?? { field: '', message: describeError(err) });
      },
    }),
  );
  const previewProblem = preview.error
    ? (fieldErrors(preview.error)[0]?.message ?? describeError(preview.error))
    : null;
  const problem = 'problem' in range ? range.problem : null;
  const fieldProblem = (field: string) => (error?.field === field ? error.message : field === 'from' ? problem : null);
  const count = preview.data?.count;
  const fresh = !!input && settled === JSON.stringify('input' in range ? range.input : null) && !preview.isFetching;
  return (
    <FormDialog
      open
      onClose={onClose}
      title="Send past events"
      description="Events this subscription matches today (its event types, channels and filter) that it never received: for a subscription created later, or one whose filter changed."
      onSubmit={() => {
        if (!('input' in range)) return;
        setError(null);
        start.mutate({ id: sub.id, ...range.input });
      }}
      actions={
        <Button type="submit" variant="primary" disabled={!fresh || !count || start.isPending}>
          {start.isPending ? <IconSpinner className="size-3.5 animate-spin" /> : <IconClock className="size-3.5" />}
          {count ? `Send ${formatCount(count)} ${count === 1 ? 'event' : 'events'}` : 'Send'}
        </Button>
      }
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <DateTimeField
          id="backfill-from"
          label="From"
          error={fieldProblem('from')}
          hint={`In your time zone (${viewerTimeZone()}).`}
          value={from}
          onChange={setFrom}
        />
        <DateTimeField
          id="backfill-to"
          label="To"
          optional
          error={fieldProblem('to')}
          hint="Empty: until now."
          value={to}
          onChange={setTo}
        />
      </div>
      <Field
        id="backfill-types"
        label="Only these event types"
        optional
        error={error?.field.startsWith('eventTypes') ? error.message : null}
        hint="Comma-separated types or patterns (order.*), among those the subscription receives. Empty: all of them."
      >
        <Input
          id="backfill-types"
          value={eventTypes}
          placeholder={sub.eventTypes.join(', ')}
          onChange={(e) => setEventTypes(e.target.value)}
          aria-describedby="backfill-types-hint"
        />
      </Field>
      <BackfillPreview problem={problem} error={previewProblem} preview={preview.data} fresh={fresh} />
      {error && !['from', 'to'].includes(error.field) && !error.field.startsWith('eventTypes') && (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {error.message}
        </p>
      )}
      <p className="text-sm text-zinc-600 dark:text-zinc-300">
        They go out behind this endpoint&apos;s live traffic, at its rate limit, each with its normal retries. You can
        cancel while it runs.
      </p>
    </FormDialog>
  );
}
