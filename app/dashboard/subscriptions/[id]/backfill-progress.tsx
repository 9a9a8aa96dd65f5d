'use client';

import { Mono } from '../../../_components/code';
import { formatFull, RelativeTime } from '../../../_components/time';
import { useTRPC } from '../../../_components/trpc';
import { recentRun, RunProgressCard } from '../../_components/run-progress';
import { useBackfills, type Backfill } from './use-backfills';

/** Live progress of the subscription's latest backfill, with a cancel button while it runs. */
export function BackfillProgress({ id }: { id: string }) {
  const latest = recentRun(useBackfills(id).data?.data);
  if (!latest) return null;
  return <BackfillCard backfill={latest} />;
}

function BackfillCard({ backfill: b }: { backfill: Backfill }) {
  const trpc = useTRPC();
  const examined = b.enqueued + b.skipped + b.filteredOut;
  return (
    <RunProgressCard
      run={b}
      label="Backfill"
      testId="backfill"
      className="mb-6"
      heading="Past events"
      statusWords={{ running: 'Sending', done: 'Done' }}
      meta={
        <>
          <Mono className="text-xs">{b.id}</Mono> · published {b.filter.from && formatFull(b.filter.from)} to{' '}
          {b.filter.to && formatFull(b.filter.to)}
          {b.filter.eventTypes && <> · {b.filter.eventTypes.join(', ')}</>} · started <RelativeTime at={b.createdAt} />
        </>
      }
      cancel={{
        label: 'Cancel backfill',
        title: 'Backfill cancelled',
        description: 'What was already sent still goes out; the rest is not sent.',
        refresh: trpc.subscriptions.backfills.pathKey(),
      }}
      progress={{
        label: 'Backfill progress: events examined out of the events in range',
        now: examined,
        text: `${examined} of ${b.total} events examined: ${b.enqueued} sent, ${b.skipped} already received, ${b.filteredOut} filtered out; ${b.delivered} delivered`,
        handled: examined,
      }}
      figures={[
        { label: 'Events in range', value: b.total, testId: 'backfill-total' },
        { label: 'Sent', value: b.enqueued, testId: 'backfill-sent' },
        { label: 'Already received', value: b.skipped, testId: 'backfill-skipped' },
        { label: 'Filtered out', value: b.filteredOut, testId: 'backfill-filtered' },
        { label: 'Delivered', value: b.delivered, testId: 'backfill-delivered', dot: 'bg-emerald-500' },
        { label: 'Failed', value: b.failed, testId: 'backfill-failed', dot: 'bg-red-500' },
      ]}
      columns="sm:grid-cols-6"
    />
  );
}
