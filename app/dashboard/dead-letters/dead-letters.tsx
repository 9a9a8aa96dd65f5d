'use client';

import { BulkReplayProgress } from './bulk-replay-progress';
import { DeadLetterFilterBar, DeadLetterList, useDeadLetterPage } from './dead-letter-list';
import { ReplayAllButton } from './replay-all-button';
import { ReplaySinceButton } from './replay-since-button';

export function DeadLetters() {
  const firstPage = useDeadLetterPage(undefined, true);
  const none = !firstPage.data || firstPage.data.data.length === 0;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <DeadLetterFilterBar />
        <div className="flex flex-wrap gap-2">
          <ReplaySinceButton disabled={false} />
          <ReplayAllButton disabled={none} />
        </div>
      </div>
      <BulkReplayProgress />
      <DeadLetterList />
    </div>
  );
}
