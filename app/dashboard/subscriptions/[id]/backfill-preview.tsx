import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/api/root';
import { formatCount } from '../../../_components/format';
import { IconSpinner } from '../../../_components/icons';
import { formatFull } from '../../../_components/time';

type Preview = inferRouterOutputs<AppRouter>['subscriptions']['backfillPreview'];

/**
 * How many events the form's range would send (announced as it changes), or why it cannot say:
 * the range is not one yet (`problem`), or the count failed (`error`). `fresh`: the count is for
 * what the form holds now (a spinner follows it otherwise).
 */
export function BackfillPreview({
  problem,
  error,
  preview,
  fresh,
}: {
  problem: string | null;
  error: string | null;
  preview: Preview | undefined;
  fresh: boolean;
}) {
  const count = preview?.count;
  return (
    <div
      role="status"
      aria-live="polite"
      data-testid="backfill-preview"
      className="rounded-lg border border-zinc-200 bg-zinc-50 p-3 text-sm dark:border-zinc-800 dark:bg-zinc-950"
    >
      {problem ? (
        <span className="text-zinc-500 dark:text-zinc-400">{problem}</span>
      ) : error ? (
        <span className="text-red-600 dark:text-red-400">{error}</span>
      ) : count === undefined ? (
        <span className="inline-flex items-center gap-2 text-zinc-500 dark:text-zinc-400">
          <IconSpinner className="size-3.5 animate-spin" /> Counting…
        </span>
      ) : (
        <>
          <p>
            <span className="font-semibold tabular-nums" data-testid="backfill-count">
              {preview?.capped ? 'At least ' : ''}
              {formatCount(count)}
            </span>{' '}
            {count === 1 ? 'event' : 'events'} would be sent.
            {!fresh && <IconSpinner className="ml-2 inline size-3.5 animate-spin text-zinc-400" />}
          </p>
          {preview?.clampedFrom && (
            <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
              Events are kept for a limited time: the range starts at {formatFull(preview.from)}, the oldest still kept.
            </p>
          )}
          {preview?.capped && (
            <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
              The count covers the first {formatCount(preview.examined)} events of the range.
            </p>
          )}
        </>
      )}
    </div>
  );
}
