'use client';

import { BulkReplayProgress, ReplayAllButton } from './bulk-replay';
import { DeadLetterList, SubscriptionFilter, useDeadLetterFilter, useDeadLetterPage } from './dead-letter-list';

export function DeadLetters() {
  const [sub] = useDeadLetterFilter();
  const firstPage = useDeadLetterPage(sub, undefined, true);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <SubscriptionFilter />
        <ReplayAllButton disabled={!firstPage.data || firstPage.data.data.length === 0} />
      </div>
      <BulkReplayProgress />
      <DeadLetterList />
    </div>
  );
}
