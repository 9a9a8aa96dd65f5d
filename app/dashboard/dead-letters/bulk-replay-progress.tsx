'use client';

import { Mono } from '../../_components/code';
import { RelativeTime } from '../../_components/time';
import { useTRPC } from '../../_components/trpc';
import { recentRun, RunProgressCard, type Run } from '../_components/run-progress';
import { useReplays, useScopeWords } from './use-bulk-replays';

/** Live progress of the latest bulk replay: total, enqueued, delivered, failed, with a cancel button. */
export function BulkReplayProgress() {
  const { data } = useReplays();
  const latest = recentRun(data?.data);
  if (!latest) return null;
  return <ReplayCard replay={latest} />;
}

function ReplayCard({ replay: r }: { replay: Run }) {
  const trpc = useTRPC();
  const done = r.delivered + r.failed;
  const scope = useScopeWords(r.filter);
  return (
    <RunProgressCard
      run={r}
      label="Bulk replay"
      testId="bulk-replay"
      heading="Bulk replay"
      statusWords={{ running: 'Re-enqueuing', done: 'Finished' }}
      meta={
        <>
          <Mono className="text-xs">{r.id}</Mono> · {scope} · started <RelativeTime at={r.createdAt} />
          {r.finishedAt && (
            <>
              {' '}
              · {r.status === 'cancelled' ? 'cancelled' : 'all enqueued'} <RelativeTime at={r.finishedAt} />
            </>
          )}
        </>
      }
      cancel={{
        label: 'Cancel replay',
        title: 'Replay cancelled',
        description: 'Deliveries already re-enqueued still go out; the rest stay dead letters.',
        refresh: trpc.replays.pathKey(),
      }}
      progress={{
        label: 'Replay progress: delivered and failed out of total',
        now: done,
        text: `${done} of ${r.total} finished: ${r.delivered} delivered, ${r.failed} failed`,
        handled: r.enqueued,
      }}
      figures={[
        { label: 'Total', value: r.total, testId: 'replay-total' },
        { label: 'Enqueued', value: r.enqueued, testId: 'replay-enqueued' },
        { label: 'Delivered', value: r.delivered, testId: 'replay-delivered', dot: 'bg-emerald-500' },
        { label: 'Failed again', value: r.failed, testId: 'replay-failed', dot: 'bg-red-500' },
        { label: 'In flight', value: r.inFlight, testId: 'replay-in-flight', dot: 'bg-sky-500' },
      ]}
      columns="sm:grid-cols-5"
    />
  );
}
