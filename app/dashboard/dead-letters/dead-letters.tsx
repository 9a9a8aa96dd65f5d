'use client';

import { BulkReplayProgress, ReplayAllButton, ReplaySinceButton } from './bulk-replay';
import { DeadLetterFilterBar, DeadLetterList, useDeadLetterPage } from './dead-letter-list';

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
