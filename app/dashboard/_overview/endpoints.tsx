'use client';

import { ButtonLink } from '../../_components/button';
import { Panel } from '../../_components/panel';
import { EmptyState, PanelError, TableSkeleton } from '../../_components/states';
import { Table, TBody, Td, Th, THead, Tr } from '../../_components/table';
import { byAttention, EndpointLink, HealthCells, useSubscriptionHealth } from '../_components/endpoint-health';
import { useSubscriptions } from '../_components/use-subscription-urls';
import type { Range } from './use-overview';

const SHOWN = 8;

/** The endpoints that need attention first, each with its success rate and p99 trend over the window. */
export function EndpointHealth({ range }: { range: Range }) {
  const subs = useSubscriptions();
  const health = useSubscriptionHealth(range);
  const byId = new Map((health.data?.subscriptions ?? []).map((h) => [h.subscriptionId, h]));
  const sorted = subs.data ? byAttention(subs.data.data, byId) : [];
  return (
    <Panel
      title="Endpoint health"
      description={
        range === 'hour' ? 'Last hour, what needs attention first' : 'Last 24 hours, what needs attention first'
      }
      actions={
        <ButtonLink href="/dashboard/subscriptions" size="sm">
          All subscriptions
        </ButtonLink>
      }
    >
      {subs.error ? (
        <PanelError error={subs.error} title="Could not load subscriptions" onRetry={() => void subs.refetch()} />
      ) : !subs.data ? (
        <TableSkeleton rows={3} label="Loading endpoints" />
      ) : sorted.length === 0 ? (
        <EmptyState title="No endpoints yet">Create a subscription to see how its endpoint is doing here.</EmptyState>
      ) : (
        <>
          <Table label="Endpoint health">
            <THead>
              <tr>
                <Th>Endpoint</Th>
                <Th>Status</Th>
                <Th>Success rate</Th>
                <Th>p99 latency</Th>
              </tr>
            </THead>
            <TBody>
              {sorted.slice(0, SHOWN).map((s) => (
                <Tr key={s.id} testId="endpoint-row">
                  <Td wide className="max-w-sm">
                    <EndpointLink s={s} />
                  </Td>
                  <HealthCells s={s} h={byId.get(s.id)} range={range} />
                </Tr>
              ))}
            </TBody>
          </Table>
          {sorted.length > SHOWN && (
            <p className="border-t border-zinc-100 px-4 py-2.5 text-xs text-zinc-500 dark:border-zinc-800 dark:text-zinc-400">
              {sorted.length - SHOWN} more on the Subscriptions page.
            </p>
          )}
        </>
      )}
    </Panel>
  );
}
