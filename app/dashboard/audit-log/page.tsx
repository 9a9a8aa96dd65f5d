import type { Metadata } from 'next';
import { PageHeader } from '../../_components/panel';
import { AuditLog } from './audit-log';

export const metadata: Metadata = { title: 'Audit log' };

export default function AuditLogPage() {
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change to your configuration: who made it, when, from where, and what changed. Secrets are never shown."
      />
      <AuditLog />
    </>
  );
}
