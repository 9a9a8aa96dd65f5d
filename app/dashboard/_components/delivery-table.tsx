'use client';

import Link from 'next/link';
import { Mono } from '../../_components/code';
import { DeliveryStatusBadge, HttpStatus } from '../../_components/status';
import { RowLink, Table, Td, Th, Tr } from '../../_components/table';
import { RelativeTime } from '../../_components/time';
import type { ReactNode } from 'react';

export type DeliveryRow = {
  id: string;
  eventId: string;
  eventType: string;
  subscriptionId: string;
  status: string;
  attemptCount: number;
  lastResponseStatus: number | null;
  lastError: string | null;
  createdAt: string;
  completedAt: string | null;
  nextAttemptAt: string | null;
};

/** Deliveries as rows; each opens its attempt timeline. `subscriptions` maps ids to URLs when known. */
export function DeliveryTable({ rows, label, subscriptions, timeColumn = 'created', action }: { rows: DeliveryRow[]; label: string; subscriptions?: Map<string, string>; timeColumn?: 'created' | 'completed'; action?: (d: DeliveryRow) => ReactNode }) {
  return (
    <Table label={label}>
      <thead>
        <tr>
          <Th>Status</Th>
          <Th>Event</Th>
          {subscriptions && <Th className="hidden lg:table-cell">Endpoint</Th>}
          <Th className="hidden sm:table-cell">Attempts</Th>
          <Th>Last response</Th>
          <Th className="text-right">{timeColumn === 'created' ? 'Created' : 'Failed'}</Th>
          {action && <Th className="w-0"><span className="sr-only">Actions</span></Th>}
        </tr>
      </thead>
      <tbody>
        {rows.map((d) => (
          <Tr key={d.id} testId="delivery-row">
            <Td>
              <RowLink href={`/dashboard/deliveries/${d.id}`} className="no-underline hover:no-underline">
                <DeliveryStatusBadge status={d.status} />
                <span className="sr-only">Delivery {d.id}</span>
              </RowLink>
            </Td>
            <Td>
              <div className="font-mono text-[0.8125rem]">{d.eventType}</div>
              <Link href={`/dashboard/events/${d.eventId}`} className="relative z-10 font-mono text-xs text-zinc-500 hover:text-indigo-600 hover:underline dark:text-zinc-400 dark:hover:text-indigo-400">
                {d.eventId}
              </Link>
            </Td>
            {subscriptions && (
              <Td className="hidden max-w-64 truncate lg:table-cell">
                <Mono className="text-zinc-600 dark:text-zinc-300">{subscriptions.get(d.subscriptionId) ?? d.subscriptionId}</Mono>
              </Td>
            )}
            <Td className="hidden tabular-nums sm:table-cell">{d.attemptCount}</Td>
            <Td>
              {d.lastResponseStatus !== null ? (
                <HttpStatus code={d.lastResponseStatus} />
              ) : d.lastError ? (
                <span className="line-clamp-1 max-w-56 text-xs text-red-700 dark:text-red-300" title={d.lastError}>
                  {d.lastError}
                </span>
              ) : (
                <span className="text-zinc-400">—</span>
              )}
            </Td>
            <Td className="text-right whitespace-nowrap text-zinc-500 dark:text-zinc-400">
              <RelativeTime at={timeColumn === 'completed' ? (d.completedAt ?? d.createdAt) : d.createdAt} />
            </Td>
            {action && <Td className="relative z-10 text-right">{action(d)}</Td>}
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}
