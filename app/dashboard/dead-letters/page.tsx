import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PageHeader } from '../../_components/panel';
import { TableSkeleton } from '../../_components/states';
import { DeadLetters } from './dead-letters';

export const metadata: Metadata = { title: 'Dead letters' };

export default function DeadLettersPage() {
  return (
    <>
      <PageHeader
        title="Dead letters"
        description="Deliveries that failed every retry. Fix the endpoint, then replay them one by one or all at once."
      />
      <Suspense fallback={<TableSkeleton rows={5} label="Loading dead letters" />}>
        <DeadLetters />
      </Suspense>
    </>
  );
}
