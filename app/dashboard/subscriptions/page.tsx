import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PageHeader } from '../../_components/panel';
import { TableSkeleton } from '../../_components/states';
import { Writable } from '../../_components/session';
import { NewSubscriptionButton } from './subscription-dialogs';
import { SubscriptionList } from './subscription-list';

export const metadata: Metadata = { title: 'Subscriptions' };

export default function SubscriptionsPage() {
  return (
    <>
      <PageHeader
        title="Subscriptions"
        description="Your endpoints and the event types each receives."
        actions={
          <Writable>
            <NewSubscriptionButton />
          </Writable>
        }
      />
      <Suspense fallback={<TableSkeleton rows={4} label="Loading subscriptions" />}>
        <SubscriptionList />
      </Suspense>
    </>
  );
}
