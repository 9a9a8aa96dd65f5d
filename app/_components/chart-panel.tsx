'use client';

import type { ReactNode } from 'react';
import { Panel } from './panel';
import { ErrorState, Skeleton } from './states';

/**
 * A panel around one chart of a query's data: the chart once there is data (a failed refresh keeps
 * the last chart), else the error with a retry, else a placeholder of the chart's height, so the page
 * does not jump when the data comes.
 */
export function ChartPanel<T>({
  title,
  description,
  query,
  height,
  children,
}: {
  title: string;
  description: string;
  query: { data: T | undefined; error: unknown; refetch: () => unknown };
  /** The chart's height, without its legend. */
  height: number;
  children: (data: T) => ReactNode;
}) {
  const { data, error, refetch } = query;
  return (
    <Panel title={title} description={description} bodyClassName="p-4">
      {data !== undefined ? (
        children(data)
      ) : error ? (
        <div style={{ minHeight: height + 24 }}>
          <ErrorState error={error} title="Could not load the chart" onRetry={() => void refetch()} />
        </div>
      ) : (
        <div style={{ height: height + 24 }} className="flex flex-col gap-2" role="status" aria-label="Loading chart">
          <Skeleton className="h-3 w-40" />
          <Skeleton className="flex-1" />
        </div>
      )}
    </Panel>
  );
}
