import type { Metadata } from 'next';
import { PageHeader } from '../../_components/panel';
import { EventTypeCatalog } from './event-type-catalog';

export const metadata: Metadata = { title: 'Event types' };

export default function EventTypesPage() {
  return (
    <>
      <PageHeader
        title="Event types"
        description="What the platform publishes: each type, what it means, the schema of its data and an example payload. Subscribe to a type by name or by pattern (order.*)."
      />
      <EventTypeCatalog />
    </>
  );
}
