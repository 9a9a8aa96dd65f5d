import Link from 'next/link';
import { IconBan, IconCheck, IconPause } from '../../../_components/icons';
import type { EventDetail } from '../../_components/types';

/**
 * The fan-out's decision for each of the account's subscriptions that existed when the event was
 * published: delivered (matched), held (matched while paused or disabled), filtered out (a pattern
 * matched but the payload filter did not hold; the failed condition is named), or skipped (no match).
 */
export function RoutingTrace({ routing }: { routing: EventDetail['routing'] }) {
  if (routing.length === 0) {
    return (
      <p className="px-4 py-6 text-sm text-zinc-500 dark:text-zinc-400">
        This account has no subscriptions, so the event went nowhere.
      </p>
    );
  }
  const sorted = [...routing].sort((a, b) => Number(b.matched) - Number(a.matched));
  return (
    <ul className="divide-y divide-zinc-100 dark:divide-zinc-800" aria-label="Routing trace">
      {sorted.map((r) => (
        <li
          key={r.subscriptionId}
          className="flex gap-3 px-4 py-3"
          data-testid="routing-row"
          data-decision={r.decision}
        >
          {r.decision === 'held' ? (
            <IconPause title="Held" className="mt-0.5 size-4 text-amber-600 dark:text-amber-400" />
          ) : r.matched ? (
            <IconCheck title="Matched" className="mt-0.5 size-4 text-emerald-600 dark:text-emerald-400" />
          ) : (
            <IconBan title="Not matched" className="mt-0.5 size-4 text-zinc-500 dark:text-zinc-400" />
          )}
          <div className="min-w-0 flex-1 text-sm">
            <Link
              href={`/dashboard/subscriptions/${r.subscriptionId}`}
              className="block truncate font-mono text-[0.8125rem] font-medium hover:text-indigo-600 hover:underline dark:hover:text-indigo-400"
            >
              {r.url}
            </Link>
            <p
              className={`mt-0.5 text-xs ${r.decision === 'held' ? 'text-amber-700 dark:text-amber-300' : r.matched ? 'text-emerald-700 dark:text-emerald-300' : 'text-zinc-500 dark:text-zinc-400'}`}
            >
              <span className="font-medium">
                {r.decision === 'held'
                  ? 'Held'
                  : r.matched
                    ? 'Delivered'
                    : r.decision === 'filtered'
                      ? 'Filtered out'
                      : 'Skipped'}
                :
              </span>{' '}
              {r.reason}
            </p>
            {r.failedCondition && (
              <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-300">
                Failed condition:{' '}
                <code className="rounded bg-amber-50 px-1 py-0.5 font-mono text-[0.6875rem] text-amber-800 dark:bg-amber-500/10 dark:text-amber-300">
                  {r.failedCondition}
                </code>
              </p>
            )}
            <p className="mt-1 flex flex-wrap gap-1">
              {r.eventTypes.map((p) => (
                <code
                  key={p}
                  className="rounded bg-zinc-100 px-1 py-0.5 text-[0.6875rem] text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300"
                >
                  {p}
                </code>
              ))}
            </p>
          </div>
        </li>
      ))}
    </ul>
  );
}
