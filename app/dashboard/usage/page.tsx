import type { Metadata } from 'next';
import { PageHeader } from '../../_components/panel';
import { Usage } from './usage';

export const metadata: Metadata = { title: 'Usage' };

export default function UsagePage() {
  return (
    <>
      <PageHeader
        title="Usage"
        description="Per day, the last 30 days: events published, delivery attempts and their outcome, bytes sent."
      />
      <Usage />
    </>
  );
}
