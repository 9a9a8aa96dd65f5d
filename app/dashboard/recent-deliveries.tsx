'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../_components/trpc';

const statusStyle: Record<string, string> = {
  succeeded: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  pending: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300',
  dead: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
  held: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300',
};

export function RecentDeliveries() {
  const trpc = useTRPC();
  const { data, isLoading, error } = useQuery({ ...trpc.deliveries.list.queryOptions({ limit: 50 }), refetchInterval: 3000 });
  if (isLoading) return <p className="text-sm text-zinc-500">Loading deliveries…</p>;
  if (error) return <p role="alert" className="text-sm text-red-600">Could not load deliveries: {error.message}</p>;
  if (!data || data.data.length === 0) return <p className="text-sm text-zinc-500">No deliveries yet. Publish an event to see it here.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-500 dark:border-zinc-800">
          <tr>
            <th className="px-4 py-2">Status</th>
            <th className="px-4 py-2">Event type</th>
            <th className="px-4 py-2">Event</th>
            <th className="px-4 py-2">Attempts</th>
            <th className="px-4 py-2">Last response</th>
            <th className="px-4 py-2">Created</th>
          </tr>
        </thead>
        <tbody>
          {data.data.map((d) => (
            <tr key={d.id} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800" data-testid="delivery-row">
              <td className="px-4 py-2">
                <span className={`rounded px-2 py-0.5 text-xs font-medium ${statusStyle[d.status] ?? ''}`}>{d.status}</span>
              </td>
              <td className="px-4 py-2 font-mono">{d.eventType}</td>
              <td className="px-4 py-2 font-mono text-xs">{d.eventId}</td>
              <td className="px-4 py-2">{d.attemptCount}</td>
              <td className="px-4 py-2">{d.lastResponseStatus ?? d.lastError ?? '—'}</td>
              <td className="px-4 py-2 text-zinc-500">
                <time dateTime={d.createdAt}>{new Date(d.createdAt).toLocaleString()}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
