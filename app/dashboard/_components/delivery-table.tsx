'use client';

import Link from 'next/link';
import { Mono } from '../../_components/code';
import { DeliveryStatusBadge, HttpStatus } from '../../_components/status';
import { RowLink, Table, TBody, Td, Th, THead, Tr } from '../../_components/table';
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

/** Rows that can be picked (a checkbox per row and one for the whole page). */
export type RowSelection = {
  selected: ReadonlySet<string>;
  toggle: (id: string) => void;
  setAll: (ids: string[], on: boolean) => void;
};

const checkboxClass =
  'relative z-10 size-4 cursor-pointer accent-indigo-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500';

/**
 * Deliveries as rows; each opens its attempt timeline. `subscriptions` maps ids to URLs when known.
 * On a phone each row is a card: status and time on top, the event below, the action at the end.
 */
export function DeliveryTable({
  rows,
  label,
  subscriptions,
  timeColumn = 'created',
  action,
  selection,
}: {
  rows: DeliveryRow[];
  label: string;
  subscriptions?: Map<string, string>;
  timeColumn?: 'created' | 'completed';
  action?: (d: DeliveryRow) => ReactNode;
  selection?: RowSelection;
}) {
  const allOn = selection !== undefined && rows.length > 0 && rows.every((d) => selection.selected.has(d.id));
  return (
    <Table label={label}>
      <THead>
        <tr>
          {selection && (
            <Th className="w-0">
              <input
                type="checkbox"
                className={checkboxClass}
                aria-label="Select every row on this page"
                checked={allOn}
                onChange={(e) =>
                  selection.setAll(
                    rows.map((d) => d.id),
                    e.target.checked,
                  )
                }
              />
            </Th>
          )}
          <Th>Status</Th>
          <Th>Event</Th>
          {subscriptions && <Th className="hidden lg:table-cell">Endpoint</Th>}
          <Th className="hidden sm:table-cell">Attempts</Th>
          <Th>Last response</Th>
          <Th className="text-right">{timeColumn === 'created' ? 'Created' : 'Failed'}</Th>
          {action && (
            <Th className="w-0">
              <span className="sr-only">Actions</span>
            </Th>
          )}
        </tr>
      </THead>
      <TBody>
        {rows.map((d) => (
          <Tr key={d.id} testId="delivery-row">
            {selection && (
              <Td className="w-0 pr-0 max-sm:w-auto">
                <input
                  type="checkbox"
                  className={checkboxClass}
                  aria-label={`Select delivery ${d.id}`}
                  checked={selection.selected.has(d.id)}
                  onChange={() => selection.toggle(d.id)}
                  data-testid="row-select"
                />
              </Td>
            )}
            <Td>
              <RowLink href={`/dashboard/deliveries/${d.id}`} className="no-underline hover:no-underline">
                <DeliveryStatusBadge status={d.status} />
                <span className="sr-only">Delivery {d.id}</span>
              </RowLink>
            </Td>
            <Td wide className="max-sm:order-last">
              <div className="font-mono text-[0.8125rem] break-all">{d.eventType}</div>
              <Link
                href={`/dashboard/events/${d.eventId}`}
                className="relative z-10 font-mono text-xs break-all text-zinc-500 hover:text-indigo-600 hover:underline dark:text-zinc-400 dark:hover:text-indigo-400"
              >
                {d.eventId}
              </Link>
            </Td>
            {subscriptions && (
              // On a phone the row is a card, and the card says where the delivery goes (whole, wrapped).
              <Td
                wide
                className="hidden max-w-64 truncate max-sm:order-last max-sm:block max-sm:max-w-full max-sm:break-all max-sm:whitespace-normal lg:table-cell"
              >
                <Mono className="text-zinc-600 dark:text-zinc-300">
                  {subscriptions.get(d.subscriptionId) ?? d.subscriptionId}
                </Mono>
              </Td>
            )}
            <Td className="hidden tabular-nums sm:table-cell">{d.attemptCount}</Td>
            <Td>
              {d.lastResponseStatus !== null ? (
                <>
                  <HttpStatus code={d.lastResponseStatus} />
                  {/* A dead letter says why it ended, not only what its last attempt met. */}
                  {d.status === 'dead' && d.lastError && (
                    <span
                      data-testid="dead-reason"
                      className="mt-0.5 line-clamp-2 block max-w-56 text-xs break-words text-red-700 dark:text-red-300"
                      title={d.lastError}
                    >
                      {d.lastError}
                    </span>
                  )}
                </>
              ) : d.lastError ? (
                <span
                  className="line-clamp-1 max-w-56 text-xs break-all text-red-700 dark:text-red-300"
                  title={d.lastError}
                >
                  {d.lastError}
                </span>
              ) : (
                <span className="text-zinc-500 dark:text-zinc-400">—</span>
              )}
            </Td>
            <Td className="text-right whitespace-nowrap text-zinc-500 max-sm:ml-auto dark:text-zinc-400">
              <RelativeTime at={timeColumn === 'completed' ? (d.completedAt ?? d.createdAt) : d.createdAt} />
            </Td>
            {action && <Td className="relative z-10 text-right max-sm:order-last max-sm:ml-auto">{action(d)}</Td>}
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
