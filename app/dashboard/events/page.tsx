import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PageHeader } from '../../_components/panel';
import { TableSkeleton } from '../../_components/states';
import { EventFilterBar } from './event-filters';
import { EventLog } from './event-log';

export const metadata: Metadata = { title: 'Events' };

export default function EventsPage() {
  return (
    <>
      <PageHeader
        title="Events"
        description="Every event sent to your endpoints, newest first. Open one to see each attempt, the exact request and the response."
      />
      <Suspense fallback={<TableSkeleton rows={8} label="Loading events" />}>
        <div className="space-y-4">
          <EventFilterBar />
          <EventLog />
        </div>
      </Suspense>
    </>
  );
}
